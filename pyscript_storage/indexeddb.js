// IndexedDB side of pyscript_storage: loaded once by indexeddb.py with run_js.
// One transaction per call. Everything crosses to Python as JSON text, and
// every failure as a plain Error whose message names the engine's error:
// Pyodide cannot await a promise rejected with a QuotaExceededError instance.
(() => {
  const STORE = "entries";

  const plain = (error) => {
    const name = (error && error.name) || "Error";
    const message = (error && error.message) || String(error);
    const plainError = new Error(`${name}: ${message}`);
    plainError.name = "StorageError";
    return plainError;
  };

  const settle = (target, resolve, reject, done = "onsuccess", what = () => target.result) => {
    target[done] = () => resolve(what());
    target.onerror = (event) => {
      if (event && event.preventDefault) event.preventDefault();
      reject(plain(target.error));
    };
  };

  const open = (name) =>
    new Promise((resolve, reject) => {
      let request;
      try {
        request = indexedDB.open(name);
      } catch (error) {
        reject(plain(error));
        return;
      }
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE))
          request.result.createObjectStore(STORE);
      };
      request.onblocked = () =>
        reject(plain({ name: "BlockedError", message: `opening ${name} is blocked by another connection` }));
      settle(request, (db) => {
        db.onversionchange = () => db.close();
        resolve(db);
      }, reject);
    });

  const transaction = (db, mode, durability) => {
    try {
      return durability
        ? db.transaction(STORE, mode, { durability })
        : db.transaction(STORE, mode);
    } catch (error) {
      throw plain(error);
    }
  };

  const load = (db) =>
    new Promise((resolve, reject) => {
      const tx = transaction(db, "readonly");
      const store = tx.objectStore(STORE);
      const keys = store.getAllKeys();
      const values = store.getAll();
      tx.oncomplete = () => resolve(JSON.stringify([keys.result, values.result]));
      tx.onabort = tx.onerror = () => reject(plain(tx.error));
    });

  const flush = (db, batchJson, durability) =>
    new Promise((resolve, reject) => {
      const batch = JSON.parse(batchJson);
      const tx = transaction(db, "readwrite", durability);
      const store = tx.objectStore(STORE);
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(plain(tx.error || { name: "AbortError", message: "transaction aborted" }));
      tx.onerror = (event) => event.preventDefault();
      try {
        if (batch.clear) store.clear();
        for (const key of batch.deletes) store.delete(key);
        for (const [key, value] of batch.puts) store.put(value, key);
      } catch (error) {
        tx.onabort = null;
        try { tx.abort(); } catch (_) { /* already finished */ }
        reject(plain(error));
      }
    });

  const close = (db) => db.close();

  return { open, load, flush, close };
})()

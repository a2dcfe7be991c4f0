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

  // Opens (or creates) the database with its "entries" store. Bounded: a
  // request that neither succeeds nor fails within ms (a blocked upgrade that
  // never unblocks, an engine that never answers) is a TimeoutError. A
  // database that exists without the store (made by other code) is upgraded
  // to add it; if another connection holds it open, that is a BlockedError.
  // Nothing here throws synchronously: MicroPython (1.28) cannot catch an exception
  // thrown by a JavaScript function it calls (its whole run stops), so every failure
  // is a rejected promise, or a value the Python side turns into a StorageError.
  const open = (name, ms = 10000) =>
    new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error) => { if (!settled) { settled = true; reject(plain(error)); } };
      const timer = setTimeout(() => fail({
        name: "TimeoutError", message: `opening ${name} got no answer from IndexedDB within ${ms} ms`,
      }), ms);
      let dataLoss = "";  // Chromium's report that it discarded the database on this open
      const attempt = (version) => {
        let request;
        try {
          // Looked up here, not as a default argument: a getter that throws (IndexedDB refused) rejects.
          const source = globalThis.indexedDB;
          if (!source)
            throw { name: "NotSupportedError", message: "IndexedDB is not available in this context" };
          request = version ? source.open(name, version) : source.open(name);
        } catch (error) {
          clearTimeout(timer);
          fail(error);
          return;
        }
        request.onupgradeneeded = (event) => {
          if (event.dataLoss && event.dataLoss !== "none")
            dataLoss = `${event.dataLoss}: ${event.dataLossMessage || "no reason given"}`;
          if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
        };
        request.onblocked = () => {
          clearTimeout(timer);
          fail({ name: "BlockedError", message: `opening ${name} is blocked: another connection holds an older version open` });
        };
        request.onerror = (event) => {
          if (event && event.preventDefault) event.preventDefault();
          clearTimeout(timer);
          fail(request.error);
        };
        request.onsuccess = () => {
          const db = request.result;
          if (settled) { db.close(); return; }  // answered too late: nobody waits for it
          if (!db.objectStoreNames.contains(STORE)) {  // someone else's database: add our store
            const next = db.version + 1;
            db.close();
            attempt(next);
            return;
          }
          clearTimeout(timer);
          settled = true;
          // Deleted or upgraded by another connection: let it, and fail our next use clearly.
          db.onversionchange = () => { db.closedBy = "versionchange"; db.close(); };
          // Closed by the engine, not by us: its storage process died (WebKit's network
          // process) or the database was deleted from outside. Our next use says so.
          db.onclose = () => { db.closedBy = db.closedBy || "lost"; };
          db.dataLoss = dataLoss;
          resolve(db);
        };
      };
      attempt(0);
    });

  const transaction = (db, mode, durability) => {
    if (db.closedBy === "versionchange")
      throw plain({ name: "InvalidStateError", message: "the database was deleted or upgraded by another connection; its contents here are gone (the store reopens on its next write)" });
    if (db.closedBy === "lost")
      throw plain({ name: "ConnectionLostError", message: "the engine closed the connection to IndexedDB (its storage process stopped?); nothing of this batch was written, and the next write opens a new connection" });
    try {
      return durability
        ? db.transaction(STORE, mode, { durability })
        : db.transaction(STORE, mode);
    } catch (error) {
      throw plain(error);
    }
  };

  // Every entry in one readonly transaction. Stored values are Flatted JSON
  // text, so they are spliced into one JSON document unescaped ("tables") and
  // Python parses all of them in one call; with asText (or any value that is
  // not a string) each value travels as a JSON string instead. keep: the read also
  // stays on db (db.loaded), for the mirror that starts next to compare its log with.
  const load = (db, asText = false, keep = false) =>
    new Promise((resolve, reject) => {
      const tx = transaction(db, "readonly");
      const store = tx.objectStore(STORE);
      const keys = store.getAllKeys();
      const values = store.getAll();
      tx.oncomplete = () => {
        const all = values.result;
        if (keep) db.loaded = { keys: keys.result, values: all };
        if (!asText && all.every((value) => typeof value === "string"))
          resolve(`{"keys":${JSON.stringify(keys.result)},"tables":[${all.join(",")}]}`);
        else resolve(JSON.stringify({ keys: keys.result, values: all }));
      };
      tx.onabort = tx.onerror = () => reject(plain(tx.error));
    });

  // Chromium (156), in a context without a profile (incognito, Playwright's new_context(),
  // a Playwright server's browser), sometimes goes on counting a batch it refused for quota
  // against the origin: every later write to that database is refused too, on any new
  // connection, through a minute of retries, until the origin creates a database. So after
  // a refusal for quota, create a probe database and delete it at once. Bounded; a failure
  // here changes nothing; elsewhere it is a harmless round trip after a rare error.
  const RECOUNT_PROBE = "pyscript-storage-recount";
  const recount = (ms = 2000) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const done = () => { clearTimeout(timer); resolve(); };
      try {
        const request = indexedDB.open(RECOUNT_PROBE);
        request.onsuccess = () => {
          request.result.close();
          const deletion = indexedDB.deleteDatabase(RECOUNT_PROBE);
          deletion.onsuccess = deletion.onerror = deletion.onblocked = done;
        };
        request.onerror = request.onblocked = done;
      } catch (_) {
        done();
      }
    });

  // One batch in one readwrite transaction: head is {clear, deletes, keys, lengths};
  // body is every stored text concatenated (lengths in UTF-16 units), so big values
  // are not escaped and parsed a second time.
  const write = (db, head, body, durability) =>
    new Promise((resolve, reject) => {
      const tx = transaction(db, "readwrite", durability);
      const store = tx.objectStore(STORE);
      tx.oncomplete = () => resolve();
      // A failed request (Firefox and WebKit report quota failures on the put
      // itself) must abort the whole batch: it is never preventDefault()-ed, which
      // would let the transaction commit the other writes and resolve as if all were.
      let failed = null;
      tx.onerror = (event) => { failed = failed || (event.target && event.target.error); };
      tx.onabort = () => {
        const error = tx.error || failed || { name: "AbortError", message: "transaction aborted" };
        const settle = () => reject(plain(error));
        if (error.name === "QuotaExceededError") recount().then(settle);
        else settle();
      };
      try {
        if (head.clear) store.clear();
        for (const key of head.deletes) store.delete(key);
        let offset = 0;
        head.keys.forEach((key, i) => {
          const end = offset + head.lengths[i];
          store.put(body.slice(offset, end), key);
          offset = end;
        });
      } catch (error) {
        tx.onabort = null;
        try { tx.abort(); } catch (_) { /* already finished */ }
        reject(plain(error));
      }
    });

  // A batch (head as JSON text) written to the store's database; with a mirror (see
  // startMirror), appended to the mirror's log while the store commits it, and resolved
  // once both are done.
  const flush = async (db, headJson, body, durability, mirror = null) => {
    const head = JSON.parse(headJson);
    if (!mirror) return write(db, head, body, durability);
    await mirror.pending;
    const copied = copy(mirror, headJson, body);
    try {
      await write(db, head, body, durability);
    } finally {
      await copied;  // a refused batch: Python opens a new connection, whose mirror compares
    }
  };

  // Read-modify-write of one key in one readwrite transaction. An engine runs the
  // readwrite transactions on a store one at a time, across every page and worker of
  // the origin, so no other write lands between this read and this write. apply is
  // Python's, called synchronously inside the transaction with the update's number and
  // the stored text (undefined when absent); it answers the new text, or null/undefined to
  // write nothing (its error stays in Python). Resolves true once the text is committed
  // (and appended to the mirror's log, as a flush is).
  const update = async (db, keyJson, apply, number, durability, mirror = null) => {
    if (mirror) await mirror.pending;
    const key = JSON.parse(keyJson);
    let copied = null;
    const onPut = (text) => {
      const head = JSON.stringify({ clear: false, deletes: [], keys: [key], lengths: [text.length] });
      if (mirror) copied = copy(mirror, head, text);
    };
    let text;
    try {
      text = await updateOne(db, key, apply, number, durability, onPut);
    } catch (error) {
      if (copied) { await copied; recheck(mirror, db); }  // the log holds what the store refused
      throw error;
    }
    if (copied) await copied;
    return text !== null;
  };
  // Resolves to the text written, or null when apply answered nothing to write.
  const updateOne = (db, key, apply, number, durability, onPut) =>
    new Promise((resolve, reject) => {
      const tx = transaction(db, "readwrite", durability);
      const store = tx.objectStore(STORE);
      let written = null;
      let failed = null;
      const request = store.get(key);
      request.onsuccess = () => {
        let text = null;
        try {
          text = apply(number, request.result);  // undefined when absent: None in Python
        } catch (error) {
          failed = error;
        }
        if (text !== null && text !== undefined && failed === null) {
          written = String(text);
          store.put(written, key);
          onPut(written);
        }
      };
      tx.oncomplete = () => (failed ? reject(plain(failed)) : resolve(written));
      tx.onerror = (event) => { failed = failed || (event.target && event.target.error); };
      tx.onabort = () => reject(plain(tx.error || failed || { name: "AbortError", message: "transaction aborted" }));
    });

  // The mirror: a copy of the store, kept as a log of its committed batches by a worker
  // of the page in the Origin Private File System of a Storage Bucket of its own
  // (Chromium; see mirror_worker.js). Chromium may discard a whole IndexedDB backing
  // store that a kill left torn; a file keeps what was written, torn at most in the
  // record being written. So each batch is appended to the log while the store commits
  // it, and the write resolves once both are done: a kill loses at most the batch in
  // flight, which no sync() had promised yet.
  //
  // A store's mirror is {name, ms, pending, failure, restored, opened, closed}: pending
  // is the last thing done to it besides appends (its open and the comparison, a recheck
  // after a refused update) and never rejects (a failure is kept as text and ends the
  // mirror); the store's writes wait for it. false where the engine has no Storage Buckets
  // (Pyodide would see null as jsnull) or no workers.
  //
  // Which copy wins, on open: the store's database, unless the engine reported that it
  // discarded it (lost): then the log's state is copied back into it, awaited before the
  // store reads anything. Otherwise the log's state is compared with what the store's
  // load read and, where they differ (a kill between a commit and its append, a writer
  // without a mirror such as upstream PyScript, a log that is gone), the log is rewritten
  // as the database's state, in the background: the store's first write waits for it.
  const MIRROR_BUCKET = "pyscript-storage-mirror";
  let worker = null;
  const answers = new Map();  // call id -> settle(answer)
  let lastCall = 0;

  const mirrorWorker = (source) => {
    if (!worker) {
      worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
      worker.onmessage = (event) => {
        const settle = answers.get(event.data.id);
        answers.delete(event.data.id);
        if (settle) settle(event.data);
      };
      worker.onerror = (event) => {  // it did not start (a Content-Security-Policy without blob:)
        const error = `the mirror's worker failed: ${event.message || "no reason given"}`;
        for (const settle of answers.values()) settle({ error });
        answers.clear();
      };
    }
    return worker;
  };

  // One operation of the worker's (mirror_worker.js), bounded by the mirror's ms.
  const ask = (mirror, op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = ++lastCall;
      const timer = setTimeout(() => {
        answers.delete(id);
        reject({ name: "TimeoutError", message: `the mirror's worker did not answer ${op} within ${mirror.ms} ms` });
      }, mirror.ms);
      answers.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.error !== undefined) reject({ name: "MirrorError", message: answer.error });
        else resolve(answer.value);
      });
      mirrorWorker(mirror.source).postMessage({ id, op, name: mirror.name, ...args });
    });

  const startMirror = (name, primary, lost, ms, source) => {
    if (typeof navigator === "undefined" || !navigator.storageBuckets || typeof Worker === "undefined") return false;
    const mirror = { name, ms, source, pending: null, failure: "", restored: -1, opened: false, closed: false };
    const loaded = primary.loaded;
    primary.loaded = null;
    mirror.pending = (async () => {
      const state = await ask(mirror, "open");
      mirror.opened = true;
      if (mirror.closed) return;
      if (state === null) dropOldLogs(name);
      if (lost) {
        const entries = [...(state || new Map()).values()];
        await replace(primary, { keys: entries.map((e) => e[0]), values: entries.map((e) => e[1]) }, "strict");
        mirror.restored = entries.length;
      } else {
        const ours = loaded || (await readAll(primary));
        if (!state || !same(ours, state)) await ask(mirror, "rewrite", ours);
      }
    })().catch((error) => fail(mirror, "cannot open it or bring it up to date", error));
    return mirror;
  };

  // Before the log was a file (2026-12), it was a database in the bucket: gone with the first file.
  const dropOldLogs = (name) =>
    navigator.storageBuckets.open(MIRROR_BUCKET).then((bucket) => {
      bucket.indexedDB.deleteDatabase(`${MIRROR_BUCKET}/${name}`);
      bucket.indexedDB.deleteDatabase(name);
    }).catch(() => { /* nothing there */ });

  const keyId = (key) => (typeof key === "string" ? `s${key}` : `j${JSON.stringify(key)}`);

  // The store's database (read as readAll reads it) holds exactly the log's state (key id -> [key, text]).
  const same = (ours, state) =>
    ours.keys.length === state.size &&
    ours.keys.every((key, i) => {
      const entry = state.get(keyId(key));
      return entry !== undefined && entry[1] === ours.values[i];
    });

  // A batch appended to the log; resolves true, or false once the mirror has failed (never rejects).
  const copy = (mirror, head, body) => {
    if (mirror.failure || mirror.closed) return Promise.resolve(false);
    return ask(mirror, "append", { head, body }).then(
      () => true,
      (error) => { fail(mirror, "a copy was refused", error); return false; },
    );
  };

  // The log compared with the database again, and rewritten if they differ.
  const recheck = (mirror, db) => {
    mirror.pending = mirror.pending.then(async () => {
      if (mirror.failure || mirror.closed) return;
      try {
        await ask(mirror, "rewrite", await readAll(db));
      } catch (error) {
        fail(mirror, "cannot bring it up to date after a refused write", error);
      }
    });
  };

  const fail = (mirror, what, error) => {
    if (!mirror.failure) mirror.failure = `${what} (${plain(error).message})`;
  };

  // Once what is queued on it is done; the worker lets the log's files go when no store uses them.
  const closeMirror = (mirror) => {
    mirror.closed = true;
    mirror.pending.then(() => { if (mirror.opened) ask(mirror, "close").catch(() => { /* gone */ }); });
  };

  // Every key and value of a database, in one readonly transaction. Each result read
  // once: every read of an IDBRequest's result costs WebKitGTK time in proportion to the
  // array (1 ms for 10,000 values).
  const readAll = (db) =>
    new Promise((resolve, reject) => {
      const tx = transaction(db, "readonly");
      const keys = tx.objectStore(STORE).getAllKeys();
      const values = tx.objectStore(STORE).getAll();
      tx.oncomplete = () => resolve({ keys: keys.result, values: values.result });
      tx.onabort = tx.onerror = () => reject(plain(tx.error));
    });

  // Make `db` hold exactly `entries`, in one transaction.
  const replace = (db, entries, durability) =>
    new Promise((resolve, reject) => {
      let tx;
      try {
        tx = transaction(db, "readwrite", durability);
      } catch (error) {
        reject(error);
        return;
      }
      const store = tx.objectStore(STORE);
      store.clear();
      entries.keys.forEach((key, i) => store.put(entries.values[i], key));
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(plain(tx.error || { name: "AbortError", message: "copy aborted" }));
    });

  const close = (db) => db.close();
  const dataLoss = (db) => db.dataLoss || "";

  // Some keys' stored texts, in one readonly transaction: JSON {keys, values}
  // with null for a key that is not stored (a stored text is never null).
  const read = (db, keysJson) =>
    new Promise((resolve, reject) => {
      const keys = JSON.parse(keysJson);
      const tx = transaction(db, "readonly");
      const store = tx.objectStore(STORE);
      const requests = keys.map((key) => store.get(key));
      tx.oncomplete = () =>
        resolve(JSON.stringify({ keys, values: requests.map((r) => (r.result === undefined ? null : r.result)) }));
      tx.onabort = tx.onerror = () => reject(plain(tx.error));
    });

  // Change notices between pages (and workers) of an origin: after each
  // committed flush the flush's head (which keys were put or deleted, and
  // whether the store was cleared) goes to every other context's channel.
  const channels = new Map();
  const channel = (name) => {
    if (typeof BroadcastChannel === "undefined") return null;
    if (!channels.has(name)) channels.set(name, new BroadcastChannel(`pyscript-storage:${name}`));
    return channels.get(name);
  };
  // sender names the store that flushed, so a live store skips its own notices
  // (other channel objects of the same page do receive them).
  const announce = (name, headJson, sender) => {
    const ch = channel(name);
    if (ch) ch.postMessage({ sender, head: headJson });
  };
  // onChange(id, head, sender) is one function for every watcher of the page: id says whose.
  // null where there is no BroadcastChannel.
  const watch = (name, onChange, id) => {
    if (typeof BroadcastChannel === "undefined") return null;
    const listener = new BroadcastChannel(`pyscript-storage:${name}`);
    listener.onmessage = (event) => onChange(id, event.data.head, event.data.sender);
    return listener;
  };
  const unwatch = (listener) => { listener.onmessage = null; listener.close(); };
  // A store closed: drop the page's channel for its name (another open store of
  // the same name makes a new one on its next announce).
  const forget = (name) => {
    const ch = channels.get(name);
    if (ch) { channels.delete(name); ch.close(); }
  };

  // The origin's StorageManager (navigator.storage): "persist", "persisted" or "estimate",
  // answered as JSON text. An engine or context without that method (WebKitGTK has no
  // estimate(); a worker no persist()) is a NotSupportedError, as a rejected promise.
  const manager = async (what) => {
    const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
    if (!storage || typeof storage[what] !== "function") {
      const where = typeof window === "undefined" ? "this worker" : "this browser";
      throw plain({ name: "NotSupportedError", message: `${where} has no navigator.storage.${what}()` });
    }
    try {
      return JSON.stringify(await storage[what]());
    } catch (error) {
      throw plain(error);
    }
  };

  return { open, startMirror, closeMirror, load, flush, update, close, dataLoss, read, announce, watch, unwatch, forget, manager };
})()

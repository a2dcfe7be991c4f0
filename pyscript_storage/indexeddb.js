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
  // factory: another bucket's IndexedDB; store and options: the object store to have (the mirror's log).
  const open = (name, ms = 10000, factory = null, store = STORE, options = undefined) =>
    new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error) => { if (!settled) { settled = true; reject(plain(error)); } };
      const timer = setTimeout(() => fail({
        name: "TimeoutError", message: `opening ${name} got no answer from IndexedDB within ${ms} ms`,
      }), ms);
      let dataLoss = "";  // Chromium's report that it discarded the database on this open
      let created = false;  // the database did not exist before this open
      const attempt = (version) => {
        let request;
        try {
          // Looked up here, not as a default argument: a getter that throws (IndexedDB refused) rejects.
          const source = factory === null ? globalThis.indexedDB : factory;
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
          if (event.oldVersion === 0) created = true;
          if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store, options);
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
          if (!db.objectStoreNames.contains(store)) {  // someone else's database: add our store
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
          db.created = created;
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
  // not a string) each value travels as a JSON string instead.
  const load = (db, asText = false) =>
    new Promise((resolve, reject) => {
      const tx = transaction(db, "readonly");
      const store = tx.objectStore(STORE);
      const keys = store.getAllKeys();
      const values = store.getAll();
      tx.oncomplete = () => {
        const all = values.result;
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
  // startMirror), only once the mirror's copy of the previous write is done, and
  // copied to the mirror after this commit, without waiting for that copy.
  const flush = async (db, headJson, body, durability, mirror = null) => {
    const head = JSON.parse(headJson);
    if (mirror) await mirror.pending;
    await write(db, head, body, durability);
    if (mirror) follow(mirror, headJson, body);
  };

  // Read-modify-write of one key in one readwrite transaction. An engine runs the
  // readwrite transactions on a store one at a time, across every page and worker of
  // the origin, so no other write lands between this read and this write. apply is
  // Python's, called synchronously inside the transaction with the update's number and
  // the stored text (undefined when absent); it answers the new text, or null/undefined to
  // write nothing (its error stays in Python). Resolves true once the text is committed
  // (and is copied to the mirror, as a flush is).
  const update = async (db, keyJson, apply, number, durability, mirror = null) => {
    if (mirror) await mirror.pending;
    const key = JSON.parse(keyJson);
    const text = await updateOne(db, key, apply, number, durability);
    if (text === null) return false;
    if (mirror) follow(mirror, JSON.stringify({ clear: false, deletes: [], keys: [key], lengths: [text.length] }), text);
    return true;
  };
  // Resolves to the text written, or null when apply answered nothing to write.
  const updateOne = (db, key, apply, number, durability) =>
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
        }
      };
      tx.oncomplete = () => (failed ? reject(plain(failed)) : resolve(written));
      tx.onerror = (event) => { failed = failed || (event.target && event.target.error); };
      tx.onabort = () => reject(plain(tx.error || failed || { name: "AbortError", message: "transaction aborted" }));
    });

  // The mirror: a copy of the store in a Storage Bucket of its own (Chromium), which has
  // its own backing store, so a crash that makes Chromium discard one leaves the other.
  // The copy is a log: one record per committed batch, [head as JSON, body], in commit
  // order (an autoIncrement key), and from time to time the whole state as one batch that
  // clears (compact). One put per batch, whatever its size: a batch of 10,000 keys costs
  // the mirror one string, where copying each key cost as much as the batch itself.
  //
  // A store's mirror is {db, pending, failure, restored, closed, since, sinceLength,
  // stateLength}: pending is the last thing done to the mirror (its open, then each
  // copy), and never rejects (a failure is kept as text and ends the mirror). The store's
  // next write waits for it, so the two are never written at once, and the one not being
  // written at a kill holds every synced key. false where the engine has no Storage
  // Buckets (Pyodide would see null as jsnull).
  //
  // Which copy wins, on open: the store's database, unless the engine reported that it
  // discarded it (lost): then the log's state is copied back into it, awaited before the
  // store reads anything. Otherwise the log's state is compared with the store's database
  // and, where they differ (a kill between a commit and its copy, a writer without a
  // mirror such as upstream PyScript, a log the engine discarded), the log is rewritten as
  // the database's state, in the background: the store's first write waits for it.
  const MIRROR_BUCKET = "pyscript-storage-mirror";
  const LOG = "log";
  const COMPACT_AFTER = 64;  // batches, and as much text as the state holds: then compact
  const startMirror = (name, primary, lost, ms = 10000) => {
    if (typeof navigator === "undefined" || !navigator.storageBuckets) return false;
    const mirror = { db: null, pending: null, failure: "", restored: -1, closed: false, queued: 1,
                     since: 0, sinceLength: 0, stateLength: 0 };
    mirror.pending = (async () => {
      let bucket;
      try {
        bucket = await navigator.storageBuckets.open(MIRROR_BUCKET, { durability: "strict" });
      } catch (error) {
        throw plain(error);
      }
      const db = await open(`${MIRROR_BUCKET}/${name}`, ms, bucket.indexedDB, LOG, { autoIncrement: true });
      if (db.created) {  // the first mirror of this store: an older copy (one entry per key) goes
        try { bucket.indexedDB.deleteDatabase(name); } catch (_) { /* nothing there */ }
      }
      if (mirror.closed) { db.close(); return; }
      mirror.db = db;
      const state = replay(await readLog(db));
      if (lost) {
        const entries = state || new Map();
        await replace(primary, { keys: [...entries.values()].map((e) => e[0]), values: [...entries.values()].map((e) => e[1]) }, "strict");
        mirror.restored = entries.size;
        mirror.stateLength = lengthOf(entries);
      } else {
        const ours = await readAll(primary);
        if (!state || !same(ours, state)) await rewrite(mirror, ours);
        else mirror.stateLength = lengthOf(state);
      }
    })().catch((error) => fail(mirror, "cannot open it or bring it up to date", error))
      .finally(() => { mirror.queued -= 1; });
    return mirror;
  };

  const keyId = (key) => (typeof key === "string" ? `s${key}` : `j${JSON.stringify(key)}`);
  const lengthOf = (entries) => { let n = 0; for (const [, text] of entries.values()) n += text.length; return n; };

  // The log's records, in order.
  const readLog = (db) =>
    new Promise((resolve, reject) => {
      const tx = db.transaction(LOG, "readonly");
      const request = tx.objectStore(LOG).getAll();
      tx.oncomplete = () => resolve(request.result);
      tx.onabort = tx.onerror = () => reject(plain(tx.error));
    });

  // The state the records make: key id -> [key, text]; null if a record is not one of
  // ours (then the comparison on open finds the log different, and rewrites it).
  const replay = (records) => {
    const entries = new Map();
    for (const record of records) {
      if (!Array.isArray(record) || typeof record[0] !== "string" || typeof record[1] !== "string") return null;
      let head;
      try {
        head = JSON.parse(record[0]);
      } catch (_) {
        return null;
      }
      if (!head || !Array.isArray(head.deletes) || !Array.isArray(head.keys) || !Array.isArray(head.lengths)) return null;
      const body = record[1];
      if (head.clear) entries.clear();
      for (const key of head.deletes) entries.delete(keyId(key));
      let offset = 0;
      head.keys.forEach((key, i) => {
        const end = offset + head.lengths[i];
        entries.set(keyId(key), [key, body.slice(offset, end)]);
        offset = end;
      });
    }
    return entries;
  };

  // The store's database (read as readAll reads it) holds exactly the log's state.
  const same = (ours, state) =>
    ours.keys.length === state.size &&
    ours.keys.every((key, i) => {
      const entry = state.get(keyId(key));
      return entry !== undefined && entry[1] === ours.values[i];
    });

  // One record in the log, in its own relaxed transaction: committed in the operating
  // system's hands, so a killed browser keeps it (a power cut may not; the store's own
  // database is written as the store asks).
  const append = (db, headJson, body) =>
    new Promise((resolve, reject) => {
      const tx = db.transaction(LOG, "readwrite", { durability: "relaxed" });
      tx.objectStore(LOG).add([headJson, body]);
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(plain(tx.error || { name: "AbortError", message: "copy aborted" }));
    });

  // The log made one batch that clears and puts every entry: the state of `entries`
  // ({keys, values} as readAll gives them, or a Map as replay gives it).
  const snapshot = (entries) => {
    const pairs = entries instanceof Map ? [...entries.values()] : entries.keys.map((key, i) => [key, entries.values[i]]);
    const texts = pairs.map((pair) => String(pair[1]));
    const head = { clear: true, deletes: [], keys: pairs.map((pair) => pair[0]), lengths: texts.map((t) => t.length) };
    return [JSON.stringify(head), texts.join("")];
  };

  const rewrite = (mirror, entries) =>
    new Promise((resolve, reject) => {
      const tx = mirror.db.transaction(LOG, "readwrite", { durability: "relaxed" });
      const log = tx.objectStore(LOG);
      const record = snapshot(entries);
      log.clear();
      log.add(record);
      tx.oncomplete = () => { mirror.since = mirror.sinceLength = 0; mirror.stateLength = record[1].length; resolve(); };
      tx.onabort = () => reject(plain(tx.error || { name: "AbortError", message: "rewrite aborted" }));
    });

  // The log replaced by its own state as one record, in one transaction (another page's
  // records appended meanwhile are in what it reads).
  const compact = (mirror) =>
    new Promise((resolve, reject) => {
      const tx = mirror.db.transaction(LOG, "readwrite", { durability: "relaxed" });
      const log = tx.objectStore(LOG);
      const request = log.getAll();
      let length = 0;
      request.onsuccess = () => {
        const state = replay(request.result);
        if (state === null) { tx.abort(); return; }
        const record = snapshot(state);
        length = record[1].length;
        log.clear();
        log.add(record);
      };
      tx.oncomplete = () => { mirror.since = mirror.sinceLength = 0; mirror.stateLength = length; resolve(); };
      tx.onabort = () => reject(plain(tx.error || { name: "AbortError", message: "the log holds a record that is not a batch" }));
    });

  // The write after a commit, copied to the mirror once its previous copy is done.
  const follow = (mirror, headJson, body) => {
    mirror.queued += 1;
    mirror.pending = mirror.pending.then(async () => {
      try {
        if (mirror.failure || !mirror.db) return;
        await append(mirror.db, headJson, body);
        mirror.since += 1;
        mirror.sinceLength += body.length;
        if (mirror.since >= COMPACT_AFTER && mirror.sinceLength >= mirror.stateLength) await compact(mirror);
      } catch (error) {
        fail(mirror, "a copy was refused", error);
      } finally {
        mirror.queued -= 1;
      }
    });
  };

  const fail = (mirror, what, error) => {
    if (!mirror.failure) mirror.failure = `${what} (${plain(error).message})`;
    if (mirror.db) { mirror.db.close(); mirror.db = null; }
  };

  // Closed at once when nothing is queued on it (as after drain), else once that is done.
  const closeMirror = (mirror) => {
    mirror.closed = true;
    const shut = () => { if (mirror.db) { mirror.db.close(); mirror.db = null; } };
    if (mirror.queued === 0) shut();
    else mirror.pending.then(shut);
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

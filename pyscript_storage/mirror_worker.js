// The mirror's log (see indexeddb.js, startMirror), kept by a dedicated worker in the
// Origin Private File System of the pyscript-storage-mirror Storage Bucket: plain files,
// written through sync access handles, which a killed browser leaves as they were (the
// operating system holds what was written), torn at most in the record being written.
// IndexedDB gives no such promise in Chromium: it may discard a whole backing store it
// finds torn. A file append costs a tenth of an IndexedDB commit, and runs beside the
// store's own commit rather than after it.
//
// A store's log is two files, NAME.0.log and NAME.1.log. Each begins with a header line,
// [MAGIC, VERSION, generation], and a snapshot line (a batch that clears the store and
// puts every entry); each later line is one committed batch, [head as JSON text, body],
// as indexeddb.js writes it to the store. The file with the higher generation whose
// snapshot is whole is the log; a rewrite (or a compaction) writes the next generation
// into the other file and only then empties the old one, so a kill leaves one of them
// whole. A line cut short by a kill does not parse, and is skipped; the next append
// ends it first, so it never swallows the record after it.
//
// Every page's worker opens the files "readwrite-unsafe", and holds a Web Lock per store
// around its operations (see take): the pages of an origin append to the same log one at a
// time.
//
// Messages: {id, op, name, ...}; the answer is {id, value} or {id, error}.
//   open    -> the log's state (a Map of key id -> [key, text]) or null: no whole log
//   append  {head, body} -> true; compacts the log now and then
//   rewrite {keys, values} -> true: the log becomes exactly this state
//   close   -> true; the files are let go when no store of the page has the log open
const MAGIC = "pyscript-storage-mirror-log";
const VERSION = 1;
const BUCKET = "pyscript-storage-mirror";
const COMPACT_AFTER = 64; // appended batches, and as many bytes as the snapshot: then compact
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let root = null; // the bucket's directory
const logs = new Map(); // store name -> {handles, appended, found, users, trusted, end}

const directory = async () => {
  if (!root) {
    const bucket = await navigator.storageBuckets.open(BUCKET, { durability: "strict" });
    root = bucket.getDirectory ? await bucket.getDirectory() : await navigator.storage.getDirectory();
  }
  return root;
};

const fileName = (name, i) => `${encodeURIComponent(name)}.${i}.log`;

const handlesOf = async (name) => {
  let log = logs.get(name);
  if (!log) {
    const dir = await directory();
    const handles = [];
    for (const i of [0, 1]) {
      const file = await dir.getFileHandle(fileName(name, i), { create: true });
      handles.push(await file.createSyncAccessHandle({ mode: "readwrite-unsafe" }));
    }
    log = { handles, appended: 0, found: null, users: 0, trusted: false, end: 0 };
    logs.set(name, log);
  }
  return log;
};

// The Web Lock of a store's log, held between operations while no other page asks for it:
// a lock taken and given back for each append cost two trips to the browser process,
// which a loop of syncs felt (0.3 ms each). A page that wants it says so on a
// BroadcastChannel (again every 50 ms while it waits, in case the holder took the lock
// after hearing it), and the holder lets it go after its current operation.
const held = new Map(); // store name -> {release, busy, wanted}
const queues = new Map(); // store name -> the page's last operation on it (one at a time)
const wants = typeof BroadcastChannel === "function" ? new BroadcastChannel(`${BUCKET}:wants`) : null;
if (wants) {
  wants.onmessage = (event) => {
    const lock = held.get(event.data);
    if (!lock) return;
    lock.wanted = true;
    if (!lock.busy) letGo(event.data);
  };
}
const letGo = (name) => {
  const lock = held.get(name);
  if (lock) {
    held.delete(name);
    const log = logs.get(name);
    if (log) log.trusted = false; // another page may write the files before we hold it again
    lock.release();
  }
};
const take = (name) =>
  new Promise((resolve) => {
    const ask = () => wants && wants.postMessage(name);
    ask();
    const again = setInterval(ask, 50);
    navigator.locks.request(`${BUCKET}:${name}`, () =>
      new Promise((release) => {
        clearInterval(again);
        const lock = { release, busy: false, wanted: false };
        held.set(name, lock);
        resolve(lock);
      }));
  });
const locked = (name, work) => {
  const run = async () => {
    const lock = held.get(name) || (await take(name));
    lock.busy = true;
    try {
      const value = await work();
      const log = logs.get(name);
      if (log) log.trusted = true; // until the lock is let go, only this page writes the files
      return value;
    } finally {
      lock.busy = false;
      if (lock.wanted || !logs.has(name)) letGo(name);
    }
  };
  const done = (queues.get(name) || Promise.resolve()).then(run, run);
  queues.set(name, done.catch(() => {}));
  return done;
};

const isBatch = (record) =>
  Array.isArray(record) && typeof record[0] === "string" && typeof record[1] === "string";

// A file's generation as its header line says, or -1: read alone, so that an append finds
// the log without reading it whole.
const generationOf = (handle) => {
  const bytes = new Uint8Array(Math.min(handle.getSize(), 96));
  handle.read(bytes, { at: 0 });
  const text = decoder.decode(bytes);
  const end = text.indexOf("\n");
  if (end < 0) return -1;
  try {
    const header = JSON.parse(text.slice(0, end));
    if (Array.isArray(header) && header[0] === MAGIC && header[1] === VERSION && Number.isInteger(header[2]))
      return header[2];
  } catch (_) { /* not a header */ }
  return -1;
};

// A file read whole: {generation, lines (the snapshot first), baseBytes (its header and
// snapshot), end (the byte after its last whole line)}, or null if its header or its
// snapshot is not whole.
const parse = (handle) => {
  const generation = generationOf(handle);
  if (generation < 0) return null;
  const bytes = new Uint8Array(handle.getSize());
  handle.read(bytes, { at: 0 });
  const lines = decoder.decode(bytes).split("\n");
  if (lines.length < 3) return null; // a header and a snapshot, each ended by "\n"
  try {
    if (!isBatch(JSON.parse(lines[1]))) return null;
  } catch (_) {
    return null;
  }
  const baseBytes = encoder.encode(`${lines[0]}\n${lines[1]}\n`).length;
  return { generation, lines: lines.slice(1, -1), baseBytes, end: bytes.lastIndexOf(10) + 1 };
};

// The log's file read whole: {index, generation, lines, baseBytes}, or null if neither is whole.
const current = (log) => {
  let best = null;
  log.handles.forEach((handle, index) => {
    const parsed = parse(handle);
    if (parsed && (best === null || parsed.generation > best.generation)) best = { index, ...parsed };
  });
  log.found = best && { index: best.index, generation: best.generation, baseBytes: best.baseBytes };
  if (best) {
    // a line cut short by a kill is cut off (it is skipped anyway): appends go after the last whole line
    log.handles[best.index].truncate(best.end);
    log.end = best.end;
  }
  return best;
};

// The log's file: as this page left it while it held the lock since; else from the two
// headers, while they say what they said when it was read whole (another page's rewrite
// changes them): {index, generation, baseBytes} or null.
const where = (log) => {
  const found = log.found;
  if (found && log.trusted) return found;
  if (found) {
    const generations = log.handles.map(generationOf);
    if (generations[found.index] === found.generation && generations[1 - found.index] < found.generation)
      return found;
  }
  return current(log);
};

const keyId = (key) => (typeof key === "string" ? `s${key}` : `j${JSON.stringify(key)}`);

// The state the batches make; a line that is not a batch (cut short by a kill) is skipped.
const replay = (lines) => {
  const entries = new Map();
  for (const line of lines) {
    let record;
    let head;
    try {
      record = JSON.parse(line);
      if (!isBatch(record)) continue;
      head = JSON.parse(record[0]);
    } catch (_) {
      continue;
    }
    if (!head || !Array.isArray(head.deletes) || !Array.isArray(head.keys) || !Array.isArray(head.lengths)) continue;
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

// The next generation, holding exactly `pairs` ([key, text] each), written into the file
// that is not the log; only then is the old log emptied.
const writeSnapshot = (log, found, pairs) => {
  const texts = pairs.map((pair) => String(pair[1]));
  const head = { clear: true, deletes: [], keys: pairs.map((pair) => pair[0]), lengths: texts.map((t) => t.length) };
  const generation = found ? found.generation + 1 : 1;
  const base = `${JSON.stringify([MAGIC, VERSION, generation])}\n${JSON.stringify([JSON.stringify(head), texts.join("")])}\n`;
  const bytes = encoder.encode(base);
  const index = found ? 1 - found.index : 0;
  log.handles[index].truncate(0);
  log.handles[index].write(bytes, { at: 0 });
  log.handles[1 - index].truncate(0);
  log.found = { index, generation, baseBytes: bytes.length };
  log.end = bytes.length;
  log.appended = 0;
};

// One batch at the log's end; compacted once COMPACT_AFTER batches and as many bytes as
// its snapshot were appended.
const append = (log, found, head, body) => {
  const handle = log.handles[found.index];
  let at = log.trusted ? log.end : handle.getSize();
  const last = new Uint8Array(1);
  if (!log.trusted && at > 0 && handle.read(last, { at: at - 1 }) === 1 && last[0] !== 10) {
    handle.write(encoder.encode("\n"), { at }); // a line cut short by a kill: end it
    at += 1;
  }
  const bytes = encoder.encode(`${JSON.stringify([head, body])}\n`);
  handle.write(bytes, { at });
  log.end = at + bytes.length;
  log.appended += 1;
  if (log.appended >= COMPACT_AFTER && log.end - found.baseBytes >= found.baseBytes) {
    const whole = current(log);
    writeSnapshot(log, whole, [...replay(whole.lines).values()]);
  }
};

const operations = {
  open: (name) =>
    locked(name, async () => {
      const log = await handlesOf(name);
      log.users += 1;
      const found = current(log);
      return found ? replay(found.lines) : null;
    }),
  append: (name, { head, body }) =>
    locked(name, async () => {
      const log = await handlesOf(name);
      const found = where(log);
      if (!found) throw new Error("the log is gone (neither of its files is whole)");
      append(log, found, head, body);
      return true;
    }),
  rewrite: (name, { keys, values }) =>
    locked(name, async () => {
      const log = await handlesOf(name);
      writeSnapshot(log, where(log), keys.map((key, i) => [key, values[i]]));
      return true;
    }),
  close: (name) =>
    locked(name, async () => {
      const log = logs.get(name);
      if (log && --log.users <= 0) {
        logs.delete(name);
        for (const handle of log.handles) handle.close();
      }
      return true;
    }),
};

onmessage = async (event) => {
  const { id, op, name } = event.data;
  try {
    postMessage({ id, value: await operations[op](name, event.data) });
  } catch (error) {
    postMessage({ id, error: `${(error && error.name) || "Error"}: ${(error && error.message) || error}` });
  }
};

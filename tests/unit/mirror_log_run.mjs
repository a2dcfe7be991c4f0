// Runs pyscript_storage/mirror_worker.js's log functions in Node (the same V8 as Chromium's
// worker) over files kept in memory, for tests/unit/test_mirror_log.py: reads a case name
// from argv, prints its result as JSON.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const source = readFileSync(process.argv[2], "utf8");
const context = vm.createContext({ TextEncoder, TextDecoder, JSON, Map, Uint8Array, Math, Number, Array, String });
vm.runInContext(source, context); // top-level consts stay in the context's scope
const run = (code) => vm.runInContext(code, context);

// A sync access handle over memory, as OPFS's behaves for these calls.
class MemoryHandle {
  constructor() { this.bytes = new Uint8Array(0); }
  getSize() { return this.bytes.length; }
  read(into, { at }) {
    const part = this.bytes.subarray(at, at + into.length);
    into.set(part);
    return part.length;
  }
  write(from, { at }) {
    if (at + from.length > this.bytes.length) {
      const grown = new Uint8Array(at + from.length);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(from, at);
    return from.length;
  }
  truncate(n) { this.bytes = this.bytes.slice(0, n); }
  close() {}
}
context.MemoryHandle = MemoryHandle;
run(`var log = { handles: [new MemoryHandle(), new MemoryHandle()], appended: 0, found: null,
                 users: 1, trusted: false, end: 0, state: null };`);
const head = (keys, texts, extra = {}) =>
  JSON.stringify({ clear: false, deletes: [], keys, lengths: texts.map((t) => t.length), ...extra });
context.head = head;
const state = () => run("(() => { const f = current(log); return f ? [...replay(f.lines).values()] : null; })()");
const appendBatch = (keys, texts, extra) => {
  context.args = [head(keys, texts, extra), texts.join("")];
  run("append(log, where(log), args[0], args[1])");
};
const text = (i) => new TextDecoder().decode(run(`log.handles[${i}].bytes`));

const cases = {
  // a snapshot, then batches in each line form: all replayed in order
  roundTrip: () => {
    run(`writeSnapshot(log, null, [["a", "1"], [["k", 2], "\\"x\\""]])`);
    appendBatch(["b", "c"], ['{"t":"raw"}', "[2]"]);
    appendBatch(["nl"], ['"line\nbreak"']); // a raw newline: written as JSON
    appendBatch(["lone"], ["\ud800 alone"]); // a lone surrogate: written as JSON
    appendBatch(["é"], ["\"héllo ✓ 🐍\""]);
    appendBatch([], [], { deletes: ["a"] });
    const lines = text(0).split("\n");
    return { state: state(), forms: lines.slice(1, -1).map((l) => l[0]) };
  },
  // a kill in the middle of the last line: that batch is skipped, the file cut back
  tornTail: () => {
    run(`writeSnapshot(log, null, [["a", "1"]])`);
    appendBatch(["b"], ["2"]);
    appendBatch(["c"], ['"a long value that the kill cuts"']);
    run("log.handles[0].truncate(log.handles[0].getSize() - 9)");
    const before = run("log.handles[0].getSize()");
    const result = state();
    return { state: result, cut: before - run("log.handles[0].getSize()") };
  },
  // another page tore a line (this page did not hold the log): the next append ends it
  // first, and the torn line stays skipped whatever it held
  tornThenAppended: () => {
    run(`writeSnapshot(log, null, [["a", "1"]])`);
    appendBatch(["b"], ['"bbbbbbbb"']);
    run("log.handles[0].truncate(log.handles[0].getSize() - 3); log.trusted = false");
    appendBatch(["c"], ["3"]);
    return { state: state() };
  },
  // a line cut inside its last character (a multi-byte one): the lengths catch it
  tornInCharacter: () => {
    run(`writeSnapshot(log, null, [["a", "1"]])`);
    appendBatch(["b"], ['"ab✓"']);
    // drop the closing quote, the tab and the newline, and the last byte of ✓
    run("log.handles[0].truncate(log.handles[0].getSize() - 4); log.trusted = false");
    appendBatch(["c"], ["3"]);
    return { state: state() };
  },
  // a value holding a tab (not JSON: another writer's), its line cut just after that tab:
  // the line now ends as a whole one does, and only the head's lengths tell
  tornAfterTab: () => {
    run(`writeSnapshot(log, null, [["a", "1"]])`);
    appendBatch(["b"], ["x\tyz"]);
    run("log.handles[0].truncate(log.handles[0].getSize() - 4); log.trusted = false");
    appendBatch(["c"], ["3"]);
    return { state: state() };
  },
  // a compaction writes the next generation into the other file, then empties the first
  compaction: () => {
    run(`writeSnapshot(log, null, [["a", "1"]])`);
    for (let i = 0; i < 70; i++) appendBatch(["n"], [String(i)]);
    return {
      state: state(),
      sizes: [run("log.handles[0].getSize()"), run("log.handles[1].getSize()")],
      generation: run("log.found.generation"),
    };
  },
  // a kill while the next generation was being written: the older file is the log
  tornSnapshot: () => {
    run(`writeSnapshot(log, null, [["a", "1"]])`);
    appendBatch(["b"], ["2"]);
    const older = run("new Uint8Array(log.handles[0].bytes)");
    run(`writeSnapshot(log, where(log), [["x", "9"], ["y", "8"]])`);
    context.older = older;
    run("log.handles[0].write(older, { at: 0 }); log.handles[1].truncate(log.handles[1].getSize() - 5)");
    return { state: state(), index: run("current(log).index") };
  },
};

process.stdout.write(JSON.stringify(cases[process.argv[3]]()));

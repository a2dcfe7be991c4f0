// pyscript_storage's drop-in for PyScript apps. After it, `from pyscript import storage`
// (and `import pyscript.storage`) is pyscript_storage in every script of the page: Pyodide
// and MicroPython, main thread and workers. It reads and writes the databases PyScript's own
// storage does, in the same format, so what an app saved before is there.
//
// A PyScript plugin, installed by a module script placed BEFORE the page's core.js tag and
// naming the same core.js, so that its hooks are in place before PyScript starts:
//
//   <script type="module">
//     import { hooks } from "https://pyscript.net/releases/2026.7.3/core.js";
//     import { install } from "./pyscript_storage/dropin.js";
//     install(hooks);
//   </script>
//   <script type="module" src="https://pyscript.net/releases/2026.7.3/core.js"></script>
//
// `python -m pyscript_storage add APP_FOLDER --page PAGE` copies the module's files (this
// one among them) into APP_FOLDER/pyscript_storage/ and writes that block into PAGE. Each
// main-thread interpreter gets the files written where it imports from before its first
// script, a worker fetches them itself, and the code run before every script points
// pyscript.storage here (dropin.py).

const TAG = "pyscript-storage drop-in";
// The module's files beside this one (tests/unit/test_dropin.py keeps the list whole).
const FILES = [
  "__init__.py", "codec.py", "dropin.py", "engine.py", "indexeddb.js", "indexeddb.py",
  "jsbridge.js", "jsbridge.py", "scripting.py", "scripting_twin.js", "scripting_twin.py",
  "sqlite.py", "storage.py",
];
const HERE = new URL(".", import.meta.url).href;

const SWAP = "import pyscript_storage.dropin as _dropin\n_dropin.install()\ndel _dropin\n";

// A worker has no files of ours and no hook that can close over this script's URL: the
// code it runs first fetches them (a synchronous request, allowed in workers), then swaps.
const WORKER_SWAP = `
def _pyscript_storage_fetch(base, names):
    import sys
    if "pyscript_storage.dropin" in sys.modules:
        return
    import js
    import os
    if sys.implementation.name == "micropython":
        site = "/lib"
    else:
        import site as _site
        site = _site.getsitepackages()[0]
    for folder in (site, site + "/pyscript_storage"):
        try:
            os.mkdir(folder)
        except OSError:
            pass
    for name in names:
        request = js.XMLHttpRequest.new()
        request.open("GET", base + name, False)
        request.send()
        if request.status != 200:
            raise ImportError("${TAG}: " + base + name + " answered " + str(request.status))
        with open(site + "/pyscript_storage/" + name, "w") as file:
            file.write(str(request.responseText))
_pyscript_storage_fetch(${JSON.stringify(HERE)}, ${JSON.stringify(FILES)})
del _pyscript_storage_fetch
${SWAP}`;

const fail = (message) => {
  console.error(`${TAG}: ${message}`);
  throw new Error(`${TAG}: ${message}`);
};

// What the page has of the drop-in: the first copy's address and what it said.
const state = globalThis.pyscriptStorageDropIn || { url: import.meta.url, installed: false, messages: [] };
globalThis.pyscriptStorageDropIn = state;
const warn = (message) => {
  state.messages.push(message);
  console.warn(`${TAG}: ${message}`);
};

const fetched = () =>
  Promise.all(
    FILES.map(async (name) => {
      const url = new URL(name, HERE).href;
      const response = await fetch(url).catch((error) => fail(`${url}: ${error}`));
      if (!response.ok) {
        fail(
          `${url} answered ${response.status}: the module's files belong beside dropin.js ` +
            "(python -m pyscript_storage add APP_FOLDER copies them)",
        );
      }
      return [name, new Uint8Array(await response.arrayBuffer())];
    }),
  );

// A script on the main thread that PyScript readies before our hook saw an interpreter ran
// without the module: the drop-in was installed after PyScript started, or into another core.js.
if (!state.watching) {
  state.watching = true;
  state.readied = 0;
  for (const type of ["py", "mpy"]) {
    document.addEventListener(`${type}:ready`, ({ target }) => {
      if (target?.tagName === "SCRIPT" && !target.hasAttribute("worker") && !state.readied) {
        warn(
          "a PyScript script ran before the drop-in was installed, on PyScript's own storage: " +
            "install(hooks) belongs in a module script placed before the page's core.js tag, " +
            "importing the same core.js",
        );
      }
    }, true);
  }
}

/** Install the drop-in as a plugin of the PyScript whose `hooks` (core.js's export) are given. */
export function install(hooks) {
  if (!hooks?.main?.onReady || !hooks?.worker?.codeBeforeRun) {
    fail("install(hooks) needs PyScript's hooks: import { hooks } from \".../core.js\" (2024.1 or later)");
  }
  if (state.installed) {
    const where = state.url === import.meta.url ? "" : ` (from ${state.url} and from ${import.meta.url})`;
    warn(`installed twice${where}; the second does nothing`);
    return;
  }
  state.installed = true;
  let sources = null; // fetched once, when the first interpreter is ready
  const written = new WeakSet();
  hooks.main.onReady.add(async ({ interpreter }) => {
    state.readied += 1;
    if (written.has(interpreter)) return;
    written.add(interpreter);
    try {
      sources = sources || fetched();
      const pyodide = typeof interpreter.loadPackage === "function";
      const site = pyodide
        ? String(interpreter.runPython("import site; site.getsitepackages()[0]"))
        : "/lib";
      for (const folder of [site, `${site}/pyscript_storage`]) {
        try {
          interpreter.FS.mkdir(folder);
        } catch {
          // it exists
        }
      }
      for (const [name, bytes] of await sources) {
        interpreter.FS.writeFile(`${site}/pyscript_storage/${name}`, bytes);
      }
    } catch (error) {
      // On the page itself (as PyScript shows its errors), not only in a console nobody reads.
      const banner = document.createElement("div");
      banner.className = "py-error";
      banner.textContent = String(error.message || error);
      document.body.prepend(banner);
      throw error;
    }
  });
  // Scripts with top-level await run the Async variants.
  hooks.main.codeBeforeRun.add(SWAP);
  hooks.main.codeBeforeRunAsync.add(SWAP);
  hooks.worker.codeBeforeRun.add(WORKER_SWAP);
  hooks.worker.codeBeforeRunAsync.add(WORKER_SWAP);
}

// Injected into an app's page when the fixed storage is asked for: PyScript's own
// `pyscript.storage` is replaced by the module under test before any script runs.
// A PyScript plugin on the page's own core.js: on each interpreter's onReady the
// module's files are written where that interpreter imports from, and the code run
// before every script points `pyscript.storage` (module and names) at pyscript_storage.
import { hooks } from "CORE_URL";

const FILES = FILE_LIST;

const SWAP = `
import sys as _sys, js as _js, pyscript as _pyscript, pyscript_storage as _fixed
_pyscript.storage, _pyscript.Storage = _fixed.storage, _fixed.Storage
_sys.modules["pyscript.storage"] = _fixed
_js.window.harnessStorageModule = _fixed.__name__
del _sys, _js, _pyscript, _fixed
`;

const mkdirs = (FS, path) => {
  let at = "";
  for (const part of path.split("/").filter(Boolean)) {
    at += `/${part}`;
    try { FS.mkdir(at); } catch { /* exists */ }
  }
};

const sources = Promise.all(FILES.map(async (name) => {
  const response = await fetch(`/__harness__/module/${name}`);
  if (!response.ok) throw new Error(`module file ${name} not served: ${response.status}`);
  return [name, new Uint8Array(await response.arrayBuffer())];
}));

hooks.main.onReady.add(async ({ interpreter }) => {
  const pyodide = typeof interpreter.loadPackage === "function";
  const site = pyodide ? String(interpreter.runPython("import site; site.getsitepackages()[0]")) : "/lib";
  for (const [name, bytes] of await sources) {
    mkdirs(interpreter.FS, `${site}/${name.slice(0, name.lastIndexOf("/"))}`);
    interpreter.FS.writeFile(`${site}/${name}`, bytes);
  }
});
// Scripts with top-level await run the Async variant.
hooks.main.codeBeforeRun.add(SWAP);
hooks.main.codeBeforeRunAsync.add(SWAP);

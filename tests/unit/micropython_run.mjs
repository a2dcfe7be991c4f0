// Runs Python on MicroPython's WebAssembly build in Node, with pyscript_storage in /lib.
// usage: node micropython_run.mjs MICROPYTHON_DIR PACKAGE_DIR < code.py
// Prints what the code prints; exits 1 with the traceback if it raises.
import fs from "node:fs";
import path from "node:path";

const [micropythonDir, packageDir] = process.argv.slice(2);
const { loadMicroPython } = await import(path.resolve(micropythonDir, "micropython.mjs"));
const micropython = await loadMicroPython({ stdout: (line) => console.log(line), stderr: (line) => console.error(line) });
micropython.FS.mkdir("/lib");
micropython.FS.mkdir("/lib/pyscript_storage");
for (const name of fs.readdirSync(packageDir)) {
  if (name.endsWith(".py") || name.endsWith(".js")) {
    micropython.FS.writeFile(`/lib/pyscript_storage/${name}`, fs.readFileSync(path.join(packageDir, name)));
  }
}
try {
  await micropython.runPythonAsync(fs.readFileSync(0, "utf8"));
} catch (error) {
  console.error(String(error.message || error));
  process.exit(1);
}

// Injected first into every HTML page of a user's app (a classic script, so it runs
// before PyScript's module): the harness's page protocol on an app. `harnessReady`
// resolves {ok: true} once PyScript says every script is done ("py:all-done"), or
// {ok: false, error} when PyScript shows an error or a script or stylesheet fails to
// load. PyScript never says a worker script is done, so its "py:all-done" never comes on
// a page with one: there the page is ready once each script on the main thread is done
// (and, with only worker scripts, once it loaded); a test waits for what its workers do. `harnessErrors` keeps every uncaught error and failed resource, for reports.
(() => {
  const errors = [];
  window.harnessErrors = errors;
  let settle;
  window.harnessReady = new Promise((resolve) => { settle = resolve; });
  const fail = (error) => { errors.push(error); settle({ ok: false, error }); };
  addEventListener("py:all-done", () => settle({ ok: true }), { once: true });
  addEventListener("error", (event) => {
    const target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      const what = `failed to load ${target.tagName.toLowerCase()} ${target.src || target.href}`;
      if (target.tagName === "SCRIPT" || target.tagName === "LINK") fail(what);
      else errors.push(what);
    } else {
      errors.push(`uncaught ${event.message || event.error}`);
    }
  }, true);
  addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    errors.push(`unhandled rejection: ${reason && reason.stack ? reason.stack : reason}`);
  });
  const PYSCRIPT = 'script[type="py"],script[type="mpy"],py-script,mpy-script';
  const ERRORS = ".py-error,.mpy-error,py-error,mpy-error";
  addEventListener("DOMContentLoaded", () => {
    const scripts = [...document.querySelectorAll(PYSCRIPT)];
    const main = scripts.filter((element) => !element.hasAttribute("worker"));
    if (!main.length) {
      // A page without PyScript, or with worker scripts only, is ready once loaded.
      addEventListener("load", () => settle({ ok: true }), { once: true });
    } else if (main.length < scripts.length) {
      const kind = (element) => (element.getAttribute("type") || element.tagName.split("-")[0]).toLowerCase();
      Promise.all(main.map((element) => new Promise((done) => {
        element.addEventListener(`${kind(element)}:done`, done, { once: true });
      }))).then(() => settle({ ok: true }));
    }
    new MutationObserver(() => {
      const shown = document.querySelector(ERRORS);
      if (shown) fail(`PyScript shows an error: ${shown.textContent.trim()}`);
    }).observe(document.documentElement, { childList: true, subtree: true });
  });
})();

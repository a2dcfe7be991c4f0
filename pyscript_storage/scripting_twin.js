// The JavaScript twin of the flat Storage API (see scripting_twin.py).
// Evaluated once by Python; returns a factory that takes the Python side's
// call(method, key, payload, shared), ready(name) and sync().
// Storage.get/set/remove/contains/keys/clear/getData/setData are synchronous,
// as the Scripting app's are; pass { shared: true } for the shared domain.
((call, ready, sync) => {
  const isPlainObject = (value) => {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  };

  // JSON text of value, or a TypeError naming what JSON cannot hold exactly.
  const jsonText = (value) => {
    try {
      return JSON.stringify(value, function check(key, _converted) {
        const original = this[key];
        const kind = typeof original;
        if (kind === "number" && !Number.isFinite(original))
          throw new TypeError(`${original} is not JSON`);
        if (kind === "undefined" || kind === "function" || kind === "symbol" || kind === "bigint")
          throw new TypeError(`a ${kind} is not JSON`);
        if (kind === "object" && original !== null && !Array.isArray(original) && !isPlainObject(original))
          throw new TypeError(`a ${original.constructor?.name || "non-plain object"} is not JSON (use setData for bytes)`);
        return _converted;
      });
    } catch (error) {
      throw new TypeError(`Storage values must be JSON-serializable: ${error.message}`);
    }
  };

  const checkKey = (key) => {
    if (typeof key !== "string") throw new TypeError(`Storage keys are strings, not ${typeof key}`);
  };

  const isShared = (options) => Boolean(options && options.shared);

  // Python answers the JSON text of [errorName, message, value]; an error is thrown here as its JS kind.
  const answer = (text) => {
    const [name, message, value] = JSON.parse(text);
    if (name) {
      const Kind = name === "TypeError" ? TypeError : name === "ValueError" ? RangeError : Error;
      throw new Kind(message);
    }
    return value;
  };

  const asBytes = (data) => {
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError("Storage.setData takes a Uint8Array, an ArrayBuffer or a typed array view");
  };

  const Storage = {
    set(key, value, options) {
      checkKey(key);
      return answer(call("set", key, jsonText(value), isShared(options)));
    },
    get(key, options) {
      checkKey(key);
      return answer(call("get", key, null, isShared(options)));
    },
    setData(key, data, options) {
      checkKey(key);
      return answer(call("setData", key, JSON.stringify(Array.from(asBytes(data))), isShared(options)));
    },
    getData(key, options) {
      checkKey(key);
      const data = answer(call("getData", key, null, isShared(options)));
      return data === null ? null : new Uint8Array(data);
    },
    remove(key, options) {
      checkKey(key);
      answer(call("remove", key, null, isShared(options)));
    },
    contains(key, options) {
      checkKey(key);
      return answer(call("contains", key, null, isShared(options)));
    },
    keys() {
      return answer(call("keys", "", null, false));
    },
    clear() {
      answer(call("clear", "", null, false));
    },
  };

  return Object.freeze({
    Storage: Object.freeze(Storage),
    // Load a script's stores (before its code runs) and wait for queued writes.
    ready: (name) => ready(name),
    sync: () => sync(),
  });
})

// JavaScript side of jsbridge.py: loaded once, on MicroPython only.
// MicroPython's WebAssembly port (1.28) cannot receive a long string as what an
// awaited promise resolves to: converting it runs out of heap inside the
// promise's callback, the error is lost, and the await never returns (a store
// of 2 MB never opened). So a long text is parked here, the await gets its
// number, and Python takes the text in pieces with plain calls.
(() => {
  const PIECE = 1 << 18;  // UTF-16 units per piece
  const parked = new Map();  // number -> { text, at }
  let last = 0;

  const park = (promise) =>
    Promise.resolve(promise).then((text) => {
      last += 1;
      parked.set(last, { text: String(text), at: 0 });
      return last;
    });

  // The next piece of a parked text; "" once it is all taken (and it is forgotten).
  // A piece never ends between the two halves of a surrogate pair.
  const take = (number) => {
    const entry = parked.get(number);
    if (!entry) throw new Error(`no parked text ${number}`);
    const { text, at } = entry;
    if (at >= text.length) {
      parked.delete(number);
      return "";
    }
    let end = Math.min(at + PIECE, text.length);
    const tail = text.charCodeAt(end - 1);
    if (end < text.length && tail >= 0xd800 && tail < 0xdc00) end -= 1;
    entry.at = end;
    return text.slice(at, end);
  };

  return { park, take };
})()

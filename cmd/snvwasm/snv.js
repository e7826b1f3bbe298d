// snv.js: the in-app SNV proof verifier (cmd/snvwasm) for Node and
// browsers. An ES module with no dependencies but the Go toolchain's
// wasm_exec.js, which must have defined globalThis.Go before
// loadVerifier is called (a <script> tag in a page; an import in Node).
//
//   const v = await loadVerifier(fetch('snv.wasm'))        // or bytes
//   const r = v.verifyProof(proofText, 441, 'a12273ff…')
//   const s = v.verifyNameAnswer(answer, proofText, 441, 'a12273ff…', 'alice.club')
//
// Failures throw SNVError: .code is the verifier's error code
// (ErrConsensusMismatch, ErrAnswerAddress, …), .step the stage that failed
// (decode, trust, heights, consensus-chain, records, selection, answer),
// .stepIndex the skip-list step (-1 outside the walk), .expected / .got
// what was compared.

export class SNVError extends Error {
  constructor(info) {
    super(info.message);
    this.name = 'SNVError';
    this.code = info.code;
    this.step = info.step;
    this.stepIndex = info.step_index ?? -1;
    this.height = info.height ?? 0;
    this.expected = info.expected ?? '';
    this.got = info.got ?? '';
  }
}

// loadVerifier instantiates the module from bytes (ArrayBuffer, typed
// array), a Response, or a promise of either, and returns its functions.
export async function loadVerifier(source) {
  if (typeof globalThis.Go !== 'function') {
    throw new Error('snv.js: load the Go toolchain\'s wasm_exec.js first (it defines globalThis.Go)');
  }
  const go = new globalThis.Go();
  let src = await source;
  if (typeof Response !== 'undefined' && src instanceof Response) {
    if (!src.ok) {
      throw new Error(`snv.js: fetching the module: HTTP ${src.status}`);
    }
    src = await src.arrayBuffer();
  }
  const { instance } = await WebAssembly.instantiate(src, go.importObject);
  go.run(instance).catch(() => {}); // runs main, which then waits for calls
  const ex = instance.exports;
  if (typeof ex.snvVerifyProof !== 'function' || typeof ex.snvVerifyNameAnswer !== 'function') {
    throw new Error('snv.js: not the spvcheck SNV verifier module');
  }
  const utf8 = new TextEncoder();
  const text = new TextDecoder();
  // invoke packs the arguments (strings or bytes) into the module's input
  // buffer, calls fn with their lengths, and parses the outcome.
  const invoke = (fn, ...args) => {
    const parts = args.map((a) => (typeof a === 'string' ? utf8.encode(a) : a));
    const total = parts.reduce((n, p) => n + p.length, 0);
    let at = ex.snvInput(total);
    const mem = new Uint8Array(ex.mem.buffer);
    for (const p of parts) {
      mem.set(p, at);
      at += p.length;
    }
    const n = fn(...parts.map((p) => p.length));
    const out = text.decode(new Uint8Array(ex.mem.buffer, ex.snvOutput(), n));
    const res = JSON.parse(out);
    if (!res.ok) throw new SNVError(res.error);
    return res.result;
  };
  return {
    verifyProof(proof, trustedHeight, trustedHash) {
      return invoke(ex.snvVerifyProof, proofArg(proof), heightArg(trustedHeight), String(trustedHash));
    },
    // name is the name that was asked for: an answer does not carry it,
    // and without it a server could answer with another name's record and
    // proof. It may instead be a `name` member of an answer object.
    verifyNameAnswer(answer, proof, trustedHeight, trustedHash, name) {
      if (name === undefined && answer && typeof answer === 'object') name = answer.name;
      if (typeof name !== 'string' || name === '') {
        throw new SNVError({ code: 'ErrAnswerName', step: 'answer', step_index: -1,
          message: 'verifyNameAnswer needs the name that was asked for (fifth argument or answer.name)' });
      }
      const body = typeof answer === 'string' ? answer : JSON.stringify(answer);
      return invoke(ex.snvVerifyNameAnswer, body, proofArg(proof), heightArg(trustedHeight), String(trustedHash), name);
    },
  };
}

// proofArg passes text and bytes through (either encoding) and a parsed
// JSON proof as its text.
function proofArg(p) {
  if (typeof p === 'string' || p instanceof Uint8Array) return p;
  if (p instanceof ArrayBuffer) return new Uint8Array(p);
  if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  return JSON.stringify(p);
}

function heightArg(h) {
  if (typeof h === 'number' && !Number.isSafeInteger(h)) return String(h) + ' (not an integer)';
  return String(h);
}


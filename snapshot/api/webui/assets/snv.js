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

const EXPORT = '__spvcheckSNV';

// loadVerifier instantiates the module from bytes (ArrayBuffer, typed
// array), a Response, or a promise of either, and returns its functions.
export async function loadVerifier(source) {
  if (typeof globalThis.Go !== 'function') {
    throw new Error('snv.js: load the Go toolchain\'s wasm_exec.js first (it defines globalThis.Go)');
  }
  const go = new globalThis.Go();
  let src = await source;
  let instance;
  if (typeof Response !== 'undefined' && src instanceof Response) {
    if (!src.ok) {
      throw new Error(`snv.js: fetching the module: HTTP ${src.status}`);
    }
    src = await src.arrayBuffer();
  }
  ({ instance } = await WebAssembly.instantiate(src, go.importObject));
  const done = go.run(instance); // runs main until it waits for calls
  const api = globalThis[EXPORT];
  delete globalThis[EXPORT];
  if (!api) {
    throw new Error('snv.js: the module did not start');
  }
  done.catch(() => {});
  return {
    verifyProof(proof, trustedHeight, trustedHash) {
      return call(api.verifyProof(proofArg(proof), heightArg(trustedHeight), String(trustedHash)));
    },
    verifyNameAnswer(answer, proof, trustedHeight, trustedHash, name) {
      if (typeof name !== 'string' || name === '') {
        throw new SNVError({ code: 'ErrAnswerName', step: 'answer', step_index: -1,
          message: 'verifyNameAnswer needs the name that was asked for' });
      }
      const body = typeof answer === 'string' ? answer : JSON.stringify(answer);
      return call(api.verifyNameAnswer(body, proofArg(proof), heightArg(trustedHeight), String(trustedHash), name));
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

function call(text) {
  const out = JSON.parse(text);
  if (!out.ok) throw new SNVError(out.error);
  return out.result;
}

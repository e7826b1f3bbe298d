// The page's logic: ask the (untrusted) server, verify in the browser.
import { loadVerifier, SNVError } from './snv.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

function verdict(state, text, reason) {
  const v = $('verdict');
  v.dataset.state = state;
  v.textContent = text;
  $('reason').textContent = reason || '';
}

// api builds a URL relative to the page, so the page works wherever the
// server mounts it.
const api = (path) => new URL(path, document.baseURI).href;

async function getText(path) {
  const resp = await fetch(api(path), { cache: 'no-store', headers: { Accept: 'application/json' } });
  return { status: resp.status, text: await resp.text() };
}

async function prefillTrust() {
  const pinned = params.get('trusted');
  try {
    const info = await getText('v1/info');
    const j = JSON.parse(info.text);
    $('trust-source').textContent = `the server's last processed block, ${j.last_block_processed}`;
    if (!pinned) {
      $('trusted-height').value = String(j.last_block_processed);
      $('trusted-hash').value = j.consensus;
    }
  } catch (e) {
    $('trust-source').textContent = `the server did not say: ${e.message}`;
  }
  if (pinned) {
    const [h, c] = pinned.split(':');
    $('trusted-height').value = h || '';
    $('trusted-hash').value = c || '';
    $('trust-source').textContent += '; replaced by the value in this page\'s address';
  }
}

function show(st, zonefile) {
  $('r-name').textContent = st.name;
  $('r-owner').textContent = st.address;
  $('r-status').textContent = st.status;
  $('r-zonefile-hash').textContent = st.zonefile_hash || '(none)';
  $('r-op').textContent = `${st.op} in transaction ${st.txid}`;
  $('r-block').textContent = `${st.height} (consensus hash ${st.consensus_hash})`;
  $('r-zonefile').textContent = zonefile ?? '(not served)';
  $('details').hidden = false;
}

async function lookup(verifier, name) {
  $('details').hidden = true;
  const height = $('trusted-height').value.trim();
  const hash = $('trusted-hash').value.trim().toLowerCase();
  if (!/^[0-9]+$/.test(height) || !/^[0-9a-f]{32}$/.test(hash)) {
    verdict('not-verified', 'not verified', 'The trusted pair is not a block height and a 32-hex-digit consensus hash.');
    return;
  }
  verdict('working', 'checking…', '');
  const enc = encodeURIComponent(name);
  let answer, proof;
  try {
    [answer, proof] = await Promise.all([
      getText(`v1/names/${enc}`),
      getText(`v1/names/${enc}/proof?trusted_height=${height}`),
    ]);
  } catch (e) {
    verdict('not-verified', 'not verified', `The server could not be asked: ${e.message}`);
    return;
  }
  if (answer.status !== 200) {
    verdict('not-verified', 'not verified',
      `The server answered ${answer.status} for the name: ${answer.text.trim()}\n` +
      'A proof can show what a name is, not that it is absent: this cannot be verified.');
    return;
  }
  if (proof.status !== 200) {
    verdict('not-verified', 'not verified', `The server gave no proof (${proof.status}): ${proof.text.trim()}`);
    return;
  }
  try {
    const st = verifier.verifyNameAnswer(answer.text, proof.text, height, hash, name);
    const served = JSON.parse(answer.text).zonefile;
    show(st, st.zonefile_checked ? served : null);
    verdict('verified', 'verified',
      `The server's answer is what block ${st.height} committed, proven from your trusted block ${height} ` +
      `in ${st.proof.steps} step${st.proof.steps === 1 ? '' : 's'}.`);
  } catch (e) {
    if (!(e instanceof SNVError)) throw e;
    verdict('not-verified', 'not verified', `${e.step}: ${e.message}`);
  }
}

async function main() {
  await prefillTrust();
  let verifier;
  try {
    verifier = await loadVerifier(fetch(api('snv.wasm')));
  } catch (e) {
    verdict('not-verified', 'not verified', `The verifier did not load: ${e.message}`);
    return;
  }
  verdict('idle', 'Type a name to verify it.', '');
  $('go').disabled = false;
  $('lookup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    lookup(verifier, $('name').value.trim());
  });
  const name = params.get('name');
  if (name) {
    $('name').value = name;
    await lookup(verifier, name);
  }
}

main();

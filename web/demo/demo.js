// The demo page: records the camera (or the screen) through the gateway that serves this page, shows the
// upload's figures while it runs, and plays the MP4 once the merger made it. Its phase is mirrored on
// <body data-phase> (idle, recording, stopping, merging, ready, failed; after a reload recovering, interrupted,
// continuing) for people and tests alike.
import { RecordingUpload } from '/recorder/recorder.js';

const $ = (id) => document.getElementById(id);
const INGEST = new URL('/v1/ingest', location.href).toString();
let token = new URLSearchParams(location.hash.slice(1)).get('token');
let rec = null;
let startedAt = 0;
let clock = 0;

/** The page's test and debugging hook: the current upload, and an event when one starts. */
window.recingestDemo = { get rec() { return rec; } };

function phase(p) {
  document.body.dataset.phase = p;
}

function notice(text, error = false) {
  $('notice').hidden = !text;
  $('notice').textContent = text || '';
  $('notice').classList.toggle('error', error);
}

function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function show(up) {
  $('state').textContent = up.state;
  $('acked').textContent = up.ackedChunks;
  $('ackedBytes').textContent = bytes(up.ackedBytes);
  $('pending').textContent = up.pendingChunks;
  $('reconnects').textContent = up.reconnects;
  $('recordingId').textContent = up.recordingId || '—';
}

function watch(up) {
  for (const type of ['progress', 'reconnecting', 'resumed', 'chunk', 'stopped']) {
    up.addEventListener(type, () => show(up));
  }
  up.addEventListener('reconnecting', (e) => notice(`Connection lost (${e.closeCode}); reconnecting in ${Math.round(e.delayMs / 100) / 10} s — nothing recorded is lost.`));
  up.addEventListener('resumed', () => notice(''));
  up.addEventListener('storagefull', (e) => notice(`This browser's storage budget is full (${bytes(e.usedBytes)}): new chunks are kept in memory only until the upload catches up.`, true));
  up.addEventListener('error', (e) => {
    phase('failed');
    notice(`Upload failed: ${e.code} — ${e.message}`, true);
  });
}

async function getToken() {
  if (token) {
    return token;
  }
  const r = await fetch('/demo/token', { method: 'POST' });
  if (!r.ok) {
    $('tokenCard').hidden = false;
    throw new Error('no development token here: paste a recorder token');
  }
  token = (await r.json()).token;
  return token;
}

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${await getToken()}` } });
  if (!r.ok) {
    throw new Error(`${path}: HTTP ${r.status}`);
  }
  return r.json();
}

/** Waits for the merge, then plays the MP4 with a download link. */
async function showResult(recordingId) {
  phase('merging');
  $('result').hidden = false;
  $('resultStatus').textContent = 'Merging the chunks into one MP4…';
  let r;
  for (;;) {
    r = await api(`/v1/recordings/${recordingId}`);
    if (r.state === 'COMPLETED' || r.state === 'FAILED') {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (r.state === 'FAILED') {
    phase('failed');
    $('resultStatus').textContent = `The merge failed: ${r.error?.code} ${r.error?.message || ''}`;
    return;
  }
  const { url } = await api(`/v1/recordings/${recordingId}/output?redirect=false`);
  $('playback').src = url;
  $('playback').hidden = false;
  $('download').href = url;
  $('download').setAttribute('download', `${recordingId}.mp4`);
  $('links').hidden = false;
  $('outputFacts').textContent = `${r.output.durationSeconds.toFixed(1)} s · ${bytes(r.output.size)} · ${r.chunks} chunks`;
  $('resultStatus').textContent = `Recording ${recordingId} is ready.`;
  phase('ready');
}

/** The camera and microphone, or the screen, as the page's source choice says; shown in the preview. */
async function openStream() {
  const screen = document.querySelector('input[name=source]:checked').value === 'screen';
  const stream = screen
    ? await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true })
    : await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
  $('preview').srcObject = stream;
  $('placeholder').hidden = true;
  return { stream, source: screen ? 'screen' : 'camera' };
}

/**
 * The live tab's link: /demo/live.html plays the recording's live playlist with the same token (in the fragment,
 * which no request carries).
 */
function liveLink(recordingId) {
  $('liveLink').hidden = !(recordingId && token);
  if (recordingId && token) {
    $('watchLive').href = `live.html#id=${encodeURIComponent(recordingId)}&token=${encodeURIComponent(token)}`;
  }
}

/** The MediaRecorder of `rec` runs: figures, the clock and Stop. */
function recording() {
  window.dispatchEvent(new CustomEvent('recingest-demo:recording', { detail: rec }));
  show(rec);
  liveLink(rec.recordingId);
  phase('recording');
  startedAt = Date.now();
  $('badge').hidden = false;
  clock = setInterval(() => {
    const s = Math.floor((Date.now() - startedAt) / 1000);
    $('elapsed').textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }, 250);
  $('stop').disabled = false;
}

async function start() {
  $('start').disabled = true;
  notice('');
  $('result').hidden = true;
  liveLink(null);
  $('recorder').classList.remove('finished');
  try {
    const { stream, source } = await openStream();
    const recordingId = `demo-${crypto.randomUUID().slice(0, 8)}`;
    rec = await RecordingUpload.start({ url: INGEST, token: getToken, recordingId, stream,
      metadata: { source, page: 'demo' } });
    watch(rec);
    recording();
  } catch (e) {
    phase('failed');
    notice(`Could not start: ${e.code || e.name || ''} ${e.message}`, true);
    $('start').disabled = false;
  }
}

/**
 * Goes on with the recording a reload interrupted, as a new part (PROTOCOL.md, part): the module waits
 * until every chunk from before the reload is acked, then records the new stream into the same recording.
 */
async function continueRecording() {
  $('continue').disabled = true;
  $('stop').disabled = true;
  phase('continuing');
  notice('Uploading what was recorded before the reload, then recording goes on…');
  try {
    const { stream } = await openStream();
    await rec.continueWith(stream);
    $('continue').hidden = true;
    notice('');
    recording();
  } catch (e) {
    phase('failed');
    notice(`Could not continue: ${e.code || e.name || ''} ${e.message}`, true);
    $('preview').srcObject?.getTracks().forEach((t) => t.stop());
    $('continue').hidden = true;
    $('start').disabled = false;
  }
}

async function stop() {
  $('stop').disabled = true;
  $('continue').hidden = true;
  phase('stopping');
  clearInterval(clock);
  $('badge').hidden = true;
  try {
    const result = await rec.stop();
    $('preview').srcObject?.getTracks().forEach((t) => t.stop());
    $('preview').srcObject = null;
    $('placeholder').hidden = false;
    $('recorder').classList.add('finished');
    show(rec);
    await showResult(result.recordingId);
  } catch (e) {
    phase('failed');
    notice(`Stop failed: ${e.code || ''} ${e.message}`, true);
  } finally {
    $('start').disabled = false;
  }
}

/**
 * A reload (or a crash) left recordings with chunks not yet uploaded: all of them are resumed and their
 * chunks uploaded. The newest one is offered to be continued (a new part of the same recording) or
 * finished; older ones are finished.
 */
async function recoverLeftovers() {
  const left = await RecordingUpload.listPending();
  if (left.length === 0) {
    return;
  }
  phase('recovering');
  $('start').disabled = true;
  notice(`Resuming ${left.length} recording(s) left by a reload: uploading ${left.reduce((n, r) => n + r.chunks, 0)} chunk(s)…`);
  const newest = left.reduce((a, b) => (a.createdAt >= b.createdAt ? a : b)).recordingId;
  const ups = await RecordingUpload.recoverPending({ url: INGEST, token: getToken });
  let last = null;
  for (const up of ups.filter((u) => u.recordingId !== newest)) {
    rec = up;
    watch(up);
    try {
      last = await up.stop();
      show(up);
    } catch (e) {
      notice(`Could not finish ${up.recordingId}: ${e.code} ${e.message}`, true);
    }
  }
  const interrupted = ups.find((u) => u.recordingId === newest);
  if (interrupted) {
    rec = interrupted;
    watch(rec);
    show(rec);
    phase('interrupted');
    notice(`Recording ${newest} was interrupted by a reload; what it had not uploaded yet is being uploaded now. `
      + 'Continue it (the new part joins the same MP4) or stop it to get the MP4.');
    $('continue').hidden = false;
    $('continue').disabled = false;
    $('stop').disabled = false;
    return;
  }
  notice('');
  $('start').disabled = false;
  if (last) {
    await showResult(last.recordingId);
  } else {
    phase('idle');
  }
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
$('continue').addEventListener('click', continueRecording);
$('tokenForm').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('tokenInput').value.trim() || null;
  $('tokenCard').hidden = !!token;
});
phase('idle');
$('start').disabled = false;
recoverLeftovers().catch((e) => notice(`Could not resume earlier recordings: ${e.message}`, true));

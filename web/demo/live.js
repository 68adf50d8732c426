// The demo's live tab: plays a recording while it is being recorded, from its live playlist
// (GET /v1/recordings/{id}/live.m3u8 with the recording's token: an EVENT playlist of the whole recording so far,
// its segments presigned storage URLs), with hls.js served by this gateway. Opened by the demo page's "Watch live"
// link as /demo/live.html#id=<recordingId>&token=<recorder token> (in the fragment: never sent to a server).
// Its phase is mirrored on <body data-phase> (waiting, playing, ended, failed) for people and tests alike.
import Hls from './hls.light.min.mjs';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.hash.slice(1));
const id = params.get('id');
const token = params.get('token');
const playlist = id && new URL(`/v1/recordings/${encodeURIComponent(id)}/live.m3u8`, location.href).toString();
let listed = 0;

/** The page's test and debugging hook. */
window.recingestLive = { get video() { return $('live'); }, get listedSeconds() { return listed; } };

function phase(p, text) {
  document.body.dataset.phase = p;
  $('status').textContent = text || p;
}

function notice(text) {
  $('notice').hidden = !text;
  $('notice').textContent = text || '';
  $('notice').classList.toggle('error', !!text);
}

/** The playlist answers 404 until the rendition listed its first segment (a few seconds after the start). */
async function firstSegment() {
  for (;;) {
    const r = await fetch(playlist, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (r.ok) {
      return;
    }
    if (r.status !== 404) {
      const body = await r.json().catch(() => ({}));
      throw new Error(`${r.status} ${body.code || ''} ${body.message || ''}`);
    }
    phase('waiting', 'waiting for the first segment');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function play() {
  if (!id || !token) {
    throw new Error('open this page with the demo page\'s "Watch live" link (#id=…&token=…)');
  }
  $('recordingId').textContent = id;
  if (!Hls.isSupported()) {
    throw new Error('this browser has no Media Source Extensions for hls.js');
  }
  await firstSegment();
  const video = $('live');
  // No worker: the page's Content-Security-Policy allows scripts from this gateway only, not blob: workers.
  const hls = new Hls({
    enableWorker: false,
    xhrSetup: (xhr, url) => {
      if (url.startsWith(location.origin)) {
        xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      }
    },
  });
  hls.on(Hls.Events.LEVEL_UPDATED, (event, data) => {
    listed = data.details.totalduration;
    $('listed').textContent = `${listed.toFixed(1)} s`;
    if (!data.details.live) {
      phase('ended', 'recording ended: the whole recording is listed');
    }
  });
  hls.on(Hls.Events.ERROR, (event, data) => {
    if (data.fatal) {
      phase('failed');
      notice(`Playback failed: ${data.details}`);
    }
  });
  hls.loadSource(playlist);
  hls.attachMedia(video);
  video.play().catch(() => notice('Press play to start.'));
  phase('playing', 'live');
  setInterval(() => {
    $('position').textContent = `${video.currentTime.toFixed(1)} s`;
    $('behind').textContent = listed ? `${Math.max(0, listed - video.currentTime).toFixed(1)} s` : '—';
  }, 250);
}

play().catch((e) => {
  phase('failed');
  notice(`Cannot play: ${e.message}`);
});

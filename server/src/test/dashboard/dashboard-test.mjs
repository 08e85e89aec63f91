// Drives Millrace's dashboard in headless Chromium (Debian's, through playwright-core): the page loads
// without console errors, shows the given live stream and client, draws its charts, is photographed,
// and its Kick button disconnects the given client. Run by DashboardIT; prints one JSON line and exits
// 0 on success, 1 with {"ok": false, "error": ...} on any failure.
//
// Environment:
//   DASHBOARD_URL         the dashboard, e.g. http://127.0.0.1:8086/dashboard/
//   DASHBOARD_USER        admin user (default admin)
//   DASHBOARD_PASSWORD    admin password
//   DASHBOARD_STREAM      name of a live stream that must be listed
//   DASHBOARD_KICK_CLIENT id of the client to kick with the dashboard's button
//   DASHBOARD_SCREENSHOT  where to write a PNG of the page (before the kick)
//   DASHBOARD_MIN_CLIENTS client rows expected before the kick (default 1)
//   CHROMIUM              the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';

function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set`);
  return v;
}

const TIMEOUT_MS = 20_000;

async function main() {
  const url = env('DASHBOARD_URL');
  const user = env('DASHBOARD_USER', 'admin');
  const password = env('DASHBOARD_PASSWORD');
  const streamName = env('DASHBOARD_STREAM');
  const kickId = env('DASHBOARD_KICK_CLIENT');
  const screenshot = env('DASHBOARD_SCREENSHOT');
  const minClients = Number(env('DASHBOARD_MIN_CLIENTS', '1'));

  const errors = [];
  const dialogs = [];
  // launch() (not launchPersistentContext) starts Chromium on a new, empty profile in a temporary folder
  // that it removes on close.
  const browser = await chromium.launch({
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: TIMEOUT_MS,
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      // Sent with the first request already: a 401 answered later would show as a console error.
      httpCredentials: { username: user, password, origin: new URL(url).origin, send: 'always' },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('console', m => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', e => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', r => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', r => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`); });
    page.on('dialog', d => { dialogs.push(d.message()); d.accept(); });
    const check = step => {
      if (errors.length) throw new Error(`${step}: ${errors.join('; ')}`);
    };

    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response || response.status() !== 200) throw new Error(`GET ${url}: HTTP ${response?.status()}`);
    await page.waitForSelector('#status[data-state="ok"]');
    check('page load');

    // The stream's row, found by its data attribute; its name cell shows the name as text.
    const stream = await page.waitForFunction(name => {
      const row = [...document.querySelectorAll('#streams tbody tr')].find(tr => tr.dataset.streamName === name);
      if (!row || row.cells[2].textContent === '–') return null;
      return {
        name: row.cells[0].firstChild.textContent,
        codecs: row.cells[2].textContent,
        resolution: row.cells[3].textContent,
        bitrate: row.cells[5].textContent,
        viewers: row.cells[6].textContent,
      };
    }, streamName).then(h => h.jsonValue());
    if (stream.name !== streamName) throw new Error(`stream row shows ${JSON.stringify(stream.name)}`);

    const clientSelector = `#clients tbody tr[data-client-id="${selectorSafe(kickId)}"]`;
    await page.waitForSelector(clientSelector);
    await page.waitForFunction(n => document.querySelectorAll('#clients tbody tr').length >= n, minClients);
    const clientRows = await page.locator('#clients tbody tr').count();

    // Every chart has drawn a line (at least two samples) onto its canvas.
    const charts = await page.waitForFunction(() => {
      const out = {};
      for (const c of document.querySelectorAll('canvas[id^="chart-"]')) {
        const points = Number(c.dataset.points || 0);
        if (points < 2 || c.width === 0) return null;
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
        out[c.id] = { points, painted };
      }
      return Object.keys(out).length ? out : null;
    }).then(h => h.jsonValue());
    for (const [id, c] of Object.entries(charts)) {
      if (c.painted < 200) throw new Error(`${id} looks blank (${c.painted} pixels painted)`);
    }
    const summary = {
      connections: await page.textContent('#s-connections'),
      bandwidthOut: await page.textContent('#s-bw-out'),
      uptime: await page.textContent('#s-uptime'),
    };
    check('rendering');

    await page.screenshot({ path: screenshot, fullPage: true });

    // Kick: the button asks for confirmation (accepted above), posts, and the row goes away.
    await page.click(`${clientSelector} button.kick`);
    await page.waitForSelector(clientSelector, { state: 'detached' });
    if (!dialogs.some(m => m.includes(`client ${kickId}`))) throw new Error(`no confirmation naming client ${kickId}: ${dialogs}`);
    await page.waitForSelector('#notice:not([hidden])');
    const notice = await page.textContent('#notice');
    if (!notice.includes(`Client ${kickId} kicked`)) throw new Error(`notice after the kick: ${notice}`);
    await page.waitForTimeout(1500); // one more refresh, so that errors after the kick show too
    check('kick');

    await context.close();
    return { ok: true, stream, clientRows, charts, summary, kicked: kickId, dialogs, screenshot };
  } finally {
    await browser.close();
  }
}

/** Client ids are numbers; anything else is refused rather than quoted into a selector. */
function selectorSafe(id) {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`unexpected client id ${JSON.stringify(id)}`);
  return id;
}

main().then(result => {
  console.log(JSON.stringify(result));
}, e => {
  console.log(JSON.stringify({ ok: false, error: e.message.split('\n')[0], detail: e.stack }));
  process.exitCode = 1;
});

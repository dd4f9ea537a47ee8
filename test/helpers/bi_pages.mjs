// test/helpers/bi_pages.mjs SITE OUTDIR PAGE... - serves the built
// Evidence site SITE (bi/build) on 127.0.0.1, loads each PAGE ("/",
// "/queues", ...) in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), and writes OUTDIR/pages.json: per page the errors seen
// (uncaught exceptions, console errors, failed requests, Evidence's error
// boxes) and every table as its header and row texts; a full-page
// screenshot per page goes to OUTDIR/NAME.png (BI_SCREENSHOT_SCALE=0.5: at
// half the pixels, as the README's bi/screenshots/).  Exits 1 when the browser
// cannot be driven at all; the caller judges the content.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [site, outdir, ...pages] = process.argv.slice(2);
const require = createRequire(path.resolve(site, '..', 'package.json'));
const { chromium } = require('playwright-core');

const types = {
	'.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
	'.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
	'.parquet': 'application/octet-stream', '.webmanifest': 'application/manifest+json'
};

// a static server: /x is x, x.html or x/index.html
const server = http.createServer((req, res) => {
	const url = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
	const base = path.join(site, path.normalize(url).replace(/^(\.\.[/\\])+/, ''));
	for (const f of [base, base + '.html', path.join(base, 'index.html')]) {
		if (fs.existsSync(f) && fs.statSync(f).isFile()) {
			res.writeHead(200, { 'content-type': types[path.extname(f)] || 'application/octet-stream' });
			fs.createReadStream(f).pipe(res);
			return;
		}
	}
	res.writeHead(404);
	res.end('not found');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync']
});
const result = {};
try {
	for (const p of pages) {
		const page = await browser.newPage({ viewport: { width: 1280, height: 900 },
			deviceScaleFactor: Number(process.env.BI_SCREENSHOT_SCALE || 1) });
		const errors = [];
		page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
		page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
		// a fetch the page cancels itself (net::ERR_ABORTED: Evidence drops its
		// prerendered results once DuckDB has the data) is no failure
		page.on('requestfailed', (r) => {
			if (r.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
		});
		page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
		await page.goto(origin + p, { waitUntil: 'networkidle', timeout: 120000 });
		// the queries run in the page (DuckDB over the site's parquet files):
		// wait until no table or chart says it is loading
		await page.waitForFunction(() => document.querySelectorAll('table').length > 0
			&& !/Loading/.test(document.body.innerText), null, { timeout: 120000 });
		await page.waitForTimeout(1500);   // the charts' animation, for the screenshot only
		for (const t of await page.locator('.error, [class*="error"] pre, [role="alert"]').allInnerTexts()) {
			if (t.trim()) errors.push(`error box: ${t.trim().slice(0, 300)}`);
		}
		// the visible tables (a DataTable keeps a hidden copy): headers and cells
		const tables = await page.$$eval('table', (ts) => ts.filter((t) => t.checkVisibility()).map((t) => ({
			header: [...t.querySelectorAll('th[role=columnheader]')].map((c) => c.innerText.trim()),
			rows: [...t.querySelectorAll('tr')].filter((r) => r.querySelector('td[role=cell]'))
				.map((r) => [...r.querySelectorAll('td[role=cell]')].map((c) => c.innerText.trim()))
		})));
		const text = await page.innerText('body');
		const name = p === '/' ? 'index' : p.replace(/^\//, '').replace(/\//g, '_');
		await page.screenshot({ path: path.join(outdir, `${name}.png`), fullPage: true });
		result[p] = { errors, tables, text };
		await page.close();
	}
} finally {
	await browser.close();
	server.close();
}
fs.writeFileSync(path.join(outdir, 'pages.json'), JSON.stringify(result, null, 1));

const { makeHarness } = require('/work/main/dist/test/support/snapshotter.js');
const { snapshotterCycle } = require('/work/main/dist/bench/core.js');
const { Session } = require('inspector');
const fs = require('fs');
(async () => {
  const h = await makeHarness({ label: 'sprof', poolMiB: 4096 });
  try {
    const s = await h.host({ hostId: 'sprof' });
    await snapshotterCycle(s, 'warm', 300, 8);
    const sess = new Session(); sess.connect();
    const post = (m, p) => new Promise((res, rej) => sess.post(m, p, (e, r) => e ? rej(e) : res(r)));
    const prof = process.env.PROF === '1';
    if (prof) { await post('Profiler.enable'); await post('Profiler.start'); }
    const t = process.cpuUsage();
    const r = await snapshotterCycle(s, 'p', 600, 8);
    const u = process.cpuUsage(t);
    if (prof) { const { profile } = await post('Profiler.stop'); fs.writeFileSync('/tmp/prof/snap.cpuprofile', JSON.stringify(profile)); }
    console.log('rate', r.rate.toFixed(1), 'cpu ms/cycle user', (u.user / 1000 / 600).toFixed(2), 'sys', (u.system / 1000 / 600).toFixed(2));
  } finally { await h.dispose(); }
})().catch(e => { console.error(e); process.exit(1); });

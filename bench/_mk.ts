import { writeBenchPyramid } from './bench-slide';
(async () => { const t = performance.now(); const f = await writeBenchPyramid(process.argv[2]!, Number(process.argv[3] ?? 8960)); console.log(f, ((performance.now() - t) / 1000).toFixed(1), 's'); })();

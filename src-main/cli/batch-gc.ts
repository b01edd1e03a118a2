/**
 * V8 flags for a CLI process that works through one batch (every command but `serve`, which answers
 * requests and keeps V8's defaults). Extraction hands its thread about 200 KB of decoded pixels per
 * JPEG tile. With incremental marking, V8 answered that external memory with a concurrent major
 * collection every ~0.4 s (26 on one 1,767-tile 16k slide), whose marking threads took their CPU
 * from ONNX Runtime; without it, 8 stop-the-world ones, which a batch does not mind. The flag is
 * process-wide: the CLI's decode and inference workers (small heaps) get it too. Measured with
 * MobileNetV2 on 2 cores, four alternated pairs: ONNX Runtime's share of the process's CPU went
 * from 0.738-0.765 to 0.758-0.780, and the CPU spent outside it from 3.13-3.48 to 2.84-3.15 ms per tile.
 */
export function batchGcFlags(args: readonly string[]): string[] {
  const command = args.find((arg) => !arg.startsWith('-'));
  return command === 'serve' ? [] : ['--no-incremental-marking'];
}

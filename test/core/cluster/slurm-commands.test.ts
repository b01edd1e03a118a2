import { describe, expect, it } from 'vitest';
import { expandArrayIds, parseSacct, parseScontrol } from '../../../src-main/core/cluster/slurm-commands';
import { arraySpec, sbatchScript, shellWord } from '../../../src-main/core/cluster/sbatch-script';

describe('Slurm output parsing', () => {
  it('expands array ids in every form Slurm prints', () => {
    expect(expandArrayIds('1-3')).toEqual([1, 2, 3]);
    expect(expandArrayIds('2,5-6')).toEqual([2, 5, 6]);
    expect(expandArrayIds('1-4%2')).toEqual([1, 2, 3, 4]);
    expect(arraySpec([6, 2, 5, 3, 9])).toBe('2-3,5-6,9');
  });

  it('reads task states from scontrol (finished tasks and a pending range) and from sacct', () => {
    const scontrol = [
      'JobId=7 ArrayJobId=7 ArrayTaskId=2-3 JobName=histo-embed JobState=PENDING Reason=Resources Dependency=(null)',
      'JobId=8 ArrayJobId=7 ArrayTaskId=1 JobName=histo-embed JobState=RUNNING Reason=None Dependency=(null)',
    ].join('\n');
    expect(parseScontrol(scontrol)).toEqual([
      { task: 1, state: 'RUNNING', reason: null },
      { task: 2, state: 'PENDING', reason: 'Resources' },
      { task: 3, state: 'PENDING', reason: 'Resources' },
    ]);
    expect(parseSacct('12_1|COMPLETED\n12_2|CANCELLED by 0\n12_[3-4]|PENDING\n')).toEqual([
      { task: 1, state: 'COMPLETED', reason: null },
      { task: 2, state: 'CANCELLED', reason: null },
      { task: 3, state: 'PENDING', reason: null },
      { task: 4, state: 'PENDING', reason: null },
    ]);
  });
});

describe('sbatch script', () => {
  it('quotes every user word and asks Slurm only for what was given', () => {
    expect(shellWord("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    const script = sbatchScript({ histo: ['/opt/histo/histo'], slidesList: '/shared/run/slides.txt', shards: 4, outDir: '/shared/run', backbone: '/shared/models/uni v2.onnx', gpusPerTask: 1, provider: 'cuda', partition: 'gpu', embedFlags: ['--mpp', '0.5'] });
    expect(script).toContain('#SBATCH --array=1-4');
    expect(script).toContain('#SBATCH --gpus-per-task=1');
    expect(script).toContain('#SBATCH --partition=gpu');
    expect(script).not.toContain('--mem=');
    expect(script).toContain(`/opt/histo/histo embed "\${INPUTS[@]}" --project "$OUT/shard-$K.histo" --backbone '/shared/models/uni v2.onnx' --shard "$K/4" --provider cuda --mpp 0.5`);
  });
});

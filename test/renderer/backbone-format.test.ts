import { describe, expect, it } from 'vitest';
import { builtinKind } from '../../src-renderer/src/format/backbone-format';

describe('builtinKind', () => {
  it('tells the baseline the app offers from the earlier one kept for stored vectors, and both from learned features', () => {
    expect(builtinKind('histo-classic-v2')).toBe('Classical baseline, no learned weights');
    expect(builtinKind('histo-classic-v1')).toBe('Earlier classical baseline, kept for its stored vectors');
    expect(builtinKind('histo-classic-v1-287b2997')).toBe('Earlier classical baseline, kept for its stored vectors');
    expect(builtinKind('imagenet-mobilenet-v2')).toBe('ImageNet-pretrained, learned features');
  });
});

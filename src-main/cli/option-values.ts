import type { CommandContext } from './command';
import { UsageError } from './cli-errors';

interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** A numeric option, or undefined when absent; anything that is not such a number is a usage error. */
export function numberOption(ctx: CommandContext, name: string, rule: NumberRule = {}): number | undefined {
  const text = ctx.options[name];
  if (text === undefined) return undefined;
  const value = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  const ok =
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) {
    const kind = rule.integer ? 'a whole number' : 'a number';
    const range = rule.min !== undefined && rule.max !== undefined ? ` from ${rule.min} to ${rule.max}` : rule.min !== undefined ? ` >= ${rule.min}` : '';
    throw new UsageError(`--${name}: expected ${kind}${range}, got '${String(text)}'`);
  }
  return value;
}

export function requiredNumberOption(ctx: CommandContext, name: string, rule: NumberRule = {}): number {
  const value = numberOption(ctx, name, rule);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function requiredStringOption(ctx: CommandContext, name: string): string {
  const value = ctx.options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

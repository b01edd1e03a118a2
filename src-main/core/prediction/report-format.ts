/** Wording and measures of the HTML report that do not depend on the slide: time, scale bar, micrometres. */

/**
 * A moment as people read it where the report is made: local date and time, the zone's name and
 * its offset from UTC ("26 November 2026, 15:04 (Europe/Berlin, UTC+01:00)").
 */
export function localTimeWithZone(at: Date, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) };
  const local = new Intl.DateTimeFormat('en-GB', options).format(at);
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';
  return `${local} (${zone}, ${utcOffset(at, zone)})`;
}

/** The zone's offset from UTC at that moment, as UTC+hh:mm. */
function utcOffset(at: Date, timeZone: string): string {
  let minutes: number;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    minutes = Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  } catch {
    minutes = -at.getTimezoneOffset();
  }
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A length in µm as people write it: "500 µm", "2 mm". */
export function formatLength(micrometres: number): string {
  return micrometres >= 1000 ? `${Number((micrometres / 1000).toPrecision(3))} mm` : `${Number(micrometres.toPrecision(3))} µm`;
}

/**
 * A scale bar for an image `imageWidthUm` micrometres wide: a round length (1, 2 or 5 × 10^n µm)
 * near a fifth of the width, and the fraction of the width it spans.
 */
export function scaleBar(imageWidthUm: number): { micrometres: number; fraction: number } | null {
  if (!(imageWidthUm > 0) || !Number.isFinite(imageWidthUm)) return null;
  const target = imageWidthUm / 5;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = [5, 2, 1].find((m) => m * power <= target) ?? 1;
  const micrometres = step * power;
  return { micrometres, fraction: micrometres / imageWidthUm };
}

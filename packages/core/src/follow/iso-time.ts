/** Two- and three-digit texts of seconds and milliseconds. */
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The largest time a Date holds (ms since the epoch). */
const MAX_TIME = 8.64e15;

/** The minute of the last time formatted through Date (its first ms), and its text up to the seconds. */
let minuteStart = NaN;
let minutePrefix = '';
/** The last time asked for (whole ms) and its text: many connections of a busy capture start or end in the same ms. */
let lastTime = NaN;
let lastText = '';

/**
 * `new Date(ms).toISOString()`, for the capture times of a passive run: times come in order, many in
 * the same minute, so the text of that minute is kept and only the seconds and milliseconds are
 * written. Other times (another minute, before 1970, out of range, not a number) go through Date.
 */
export function isoTime(ms: number): string {
  const t = Math.trunc(ms); // a Date keeps whole milliseconds, cut toward zero
  if (t === lastTime) return lastText;
  const text = format(ms, t); // throws (as Date does) for a time out of range: nothing is kept then
  lastTime = t;
  lastText = text;
  return text;
}

function format(ms: number, t: number): string {
  const inMinute = t - minuteStart;
  if (inMinute >= 0 && inMinute < 60_000 && t <= MAX_TIME) return minutePrefix + TWO[Math.floor(inMinute / 1000)]! + '.' + THREE[inMinute % 1000]! + 'Z';
  const text = new Date(ms).toISOString();
  if (t >= 0) {
    minuteStart = t - (t % 60_000);
    minutePrefix = text.slice(0, -7); // "YYYY-MM-DDTHH:MM:" of "...SS.mmmZ"
  }
  return text;
}

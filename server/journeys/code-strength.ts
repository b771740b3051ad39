/**
 * How guessable a brand's shared store code is (a code step in shared mode), in words the brand reads
 * when it sets one: the API's admin journey answers carry them as `warnings`, and the console shows
 * them while the code is typed. The estimate is a guesser's: a run of letters that reads like a word
 * is one of a word list, four digits that look like a year one of two hundred, eight like a date one
 * of the days of those years, a run like AAAA or 1234 one of a few dozen; any other symbol is one of
 * 26 letters or 10 digits.
 *
 * Pure, with no Node built-ins: the console bundles it for the browser.
 */

/** Fewer symbols than this is short, whatever they are. */
export const SHARED_CODE_MIN_LENGTH = 8;
/** Warn when one address, at its limit, could try every code of this kind within this time. */
const SAFE_MINUTES = 365 * 24 * 60;
/** A word list a guesser would try. */
const WORDS = 50_000;
/** 1900 to 2099. */
const YEARS = 200;

/** What bounds guessing: tries a minute per member (every try) and per client address (tries that complete nothing). */
export type GuessLimits = { perMember: number; perAddress: number };

/** The limits' defaults (STEP_ATTEMPTS_PER_MINUTE, STEP_ATTEMPTS_PER_IP_PER_MINUTE). */
export const DEFAULT_GUESS_LIMITS: GuessLimits = { perMember: 20, perAddress: 120 };

export type CodeStrength = {
  /** The symbols that count (case, dashes and spaces do not). */
  length: number;
  /** How many codes of this kind a guesser would try, at most. */
  likely: number;
  /** What makes it guessable, in words: "only 6 characters", "a word", "a year", "a date", "a sequence or a repeat". */
  weaknesses: string[];
};

/** Days of those years, written year first, day first or month first. */
const DATES = YEARS * 366 * 3;

const VOWELS = /[AEIOUY]/;
const CONSONANT_CLUSTER = /[^AEIOUY]{4}/;

/** Every symbol one more (or one less, or the same) than the one before. */
function isRun(symbols: string): boolean {
  if (symbols.length < 3) return false;
  const steps = new Set<number>();
  for (let i = 1; i < symbols.length; i++) steps.add(symbols.charCodeAt(i) - symbols.charCodeAt(i - 1));
  return steps.size === 1 && Math.abs([...steps][0]!) <= 1;
}

const YEAR = "(?:19|20)[0-9]{2}";
const MONTH = "(?:0[1-9]|1[0-2])";
const DAY = "(?:0[1-9]|[12][0-9]|3[01])";
const DATE = new RegExp(`^(?:${YEAR}${MONTH}${DAY}|${DAY}${MONTH}${YEAR}|${MONTH}${DAY}${YEAR})$`);

/** Eight digits that read as a date: 20261224, 24122026, 12242026. */
const isDate = (digits: string) => DATE.test(digits);

export function codeStrength(code: string): CodeStrength {
  const symbols = code.toUpperCase().replace(/[^A-Z0-9]/g, "");
  const weaknesses = new Set<string>();
  if (symbols.length < SHARED_CODE_MIN_LENGTH) weaknesses.add(`only ${symbols.length} characters`);
  let likely = 1;
  for (const part of symbols.match(/[A-Z]+|[0-9]+/g) ?? []) {
    const letters = /[A-Z]/.test(part);
    const alphabet = letters ? 26 : 10;
    let options = alphabet ** part.length;
    if (isRun(part)) {
      options = Math.min(options, alphabet * 3);
      weaknesses.add("a sequence or a repeat");
    } else if (letters && part.length >= 3 && VOWELS.test(part) && !CONSONANT_CLUSTER.test(part)) {
      // Reads like a word (or a few): one of a word list per six letters or so.
      options = Math.min(options, WORDS ** Math.ceil(part.length / 6));
      weaknesses.add(part.length > 6 ? "words" : "a word");
    } else if (!letters && /^(19|20)[0-9]{2}$/.test(part)) {
      options = YEARS;
      weaknesses.add("a year");
    } else if (!letters && isDate(part)) {
      options = DATES;
      weaknesses.add("a date");
    }
    likely *= options;
  }
  return { length: symbols.length, likely, weaknesses: [...weaknesses] };
}

/** About how long `minutes` is, in words. */
export function durationWords(minutes: number): string {
  const about = (n: number, unit: string) => `about ${Math.round(n)} ${unit}${Math.round(n) === 1 ? "" : "s"}`;
  if (minutes < 1) return "less than a minute";
  if (minutes < 90) return about(minutes, "minute");
  if (minutes < 36 * 60) return about(minutes / 60, "hour");
  if (minutes < 60 * 24 * 60) return about(minutes / (24 * 60), "day");
  if (minutes < 24 * 30 * 24 * 60) return about(minutes / (30 * 24 * 60), "month");
  if (minutes < 1_000 * 365 * 24 * 60) return about(minutes / (365 * 24 * 60), "year");
  return "more than a thousand years";
}

/** About how many `n` is, in words: "30", "about 2,300", "about 50 thousand", "about 10 million". */
export function countWords(n: number): string {
  if (n < 1_000) return String(Math.round(n));
  if (n < 10_000) return `about ${Number(n.toPrecision(2)).toLocaleString("en")}`;
  const scales: [number, string][] = [
    [1e12, "trillion"],
    [1e9, "billion"],
    [1e6, "million"],
    [1e3, "thousand"],
  ];
  const [scale, word] = scales.find(([s]) => n >= s)!;
  const figure = n / scale;
  if (figure >= 1_000) return `more than a thousand ${word}`;
  return `about ${Number(figure.toPrecision(2)).toLocaleString("en")} ${word}`;
}

/**
 * The warning a brand reads for a shared code a guesser could find, or null. At the limits, one client
 * address may try `perAddress` codes a minute (many wallets behind it change nothing); several
 * addresses go faster, which the words say. `assumed`: the limits are the defaults, not read from the
 * deployment (the console, before the API answers), and the words say so.
 */
export function sharedCodeWarning(code: string, limits: GuessLimits, options: { assumed?: boolean } = {}): string | null {
  const strength = codeStrength(code);
  const minutes = strength.likely / limits.perAddress;
  if (strength.length >= SHARED_CODE_MIN_LENGTH && minutes >= SAFE_MINUTES) return null;
  const why = strength.weaknesses.length > 0 ? ` (${listWords(strength.weaknesses)})` : "";
  return (
    `“${code}” is easy to guess${why}: it is one of ${countWords(strength.likely)} likely codes. ` +
    `At ${options.assumed ? "the default" : "this deployment's"} limits (${limits.perMember} tries a minute per member, ${limits.perAddress} wrong tries a minute per network address however many wallets sign in there), ` +
    `it could be found in ${durationWords(minutes)} from one address, sooner from several. ` +
    `Use ${SHARED_CODE_MIN_LENGTH} or more random letters and digits (not a word or a date), or single-use codes.`
  );
}

function listWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

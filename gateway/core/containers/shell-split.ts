/**
 * shell-split.ts: splits a command line into argv the way a POSIX shell would for plain words
 * (quotes and backslashes; no expansion), so "sh -c 'sleep 1; httpd'" becomes three arguments.
 */
import { ValidationError } from '../errors.ts';

/** shellSplit returns the words of `line`, or throws ValidationError on an unterminated quote. */
export function shellSplit(line: string, field = 'command'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ValidationError({ [field]: 'unterminated single quote' });
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i];
        if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) { word += line[i + 1]; i += 2; continue; }
        if (c === '"') { closed = true; i++; break; }
        word += c;
        i++;
      }
      if (!closed) throw new ValidationError({ [field]: 'unterminated double quote' });
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new ValidationError({ [field]: 'trailing backslash' });
      if (line[i + 1] !== '\n') { word += line[i + 1]; inWord = true; }
      i += 2;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) { words.push(word); word = ''; inWord = false; }
      i++;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

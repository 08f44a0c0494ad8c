// What the driver reads of a process from /proc: its CPU time and its RSS.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim());
const PAGE_SIZE = Number(execSync('getconf PAGESIZE').toString().trim());

/** utime + stime of the whole process (every thread, also the ones that ended), in clock ticks. */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count from the ")" after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
}

export function rssBytes(pid) {
  return (
    Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE
  );
}

/** Samples RSS every 20 ms; the returned function stops and gives the peak. */
export function watchPeakRss(pid) {
  let peak = rssBytes(pid);
  const sample = () => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process is gone; the scenario reports it
    }
  };
  const timer = setInterval(sample, 20);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

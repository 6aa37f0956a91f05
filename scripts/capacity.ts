/**
 * `npm run capacity [profile ...]`: the capacity and cost model of every table and index for
 * the named profiles (all of them by default). See docs/capacity.md.
 */
import { runModel } from './capacity/model';
import { printReport } from './capacity/print';
import { PROFILES, profileNamed } from './capacity/profiles';

const names = process.argv.slice(2);
const profiles = names.length === 0 ? PROFILES : names.map(profileNamed);
for (const profile of profiles) console.log(printReport(runModel(profile)));

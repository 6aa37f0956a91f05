/**
 * What every bundle holds instead of the `semver` package (about 29 kB minified). Its only user
 * in a bundle is the X-Ray SDK's patcher of the AWS SDK v2 (`semver.gte(AWS.VERSION, minimum)`),
 * which the service never calls: it uses the AWS SDK v3. `gte` compares release versions
 * (`major.minor.patch`, a pre-release below its release) as `semver.gte` does.
 */

const parts = (version: string): { numbers: number[]; prerelease: boolean } => {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(-[^+]*)?(\+.*)?$/.exec(version.trim());
  if (!match) throw new TypeError(`Invalid Version: ${version}`);
  return { numbers: [match[1], match[2], match[3]].map(Number), prerelease: match[4] !== undefined };
};

/** Whether version `a` is at least `b`; pre-releases of the same version compare as lower. */
export const gte = (a: string, b: string): boolean => {
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < 3; i += 1) {
    const difference = (left.numbers[i] ?? 0) - (right.numbers[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return !left.prerelease || right.prerelease;
};

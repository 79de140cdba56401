/**
 * A bucket prefix in the one form keys are built with: `''`, or no leading `/` and one
 * trailing `/`.
 *
 * @param prefix - as configured
 * @returns the normalized prefix
 * @example normalizePrefix('/reports') // 'reports/'
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '')
  return trimmed ? `${trimmed}/` : ''
}

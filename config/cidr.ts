/** An IPv4 CIDR block parsed into its numeric range. */
export interface Ipv4Range {
  readonly cidr: string;
  /** First address as an unsigned 32-bit integer. */
  readonly first: number;
  /** Last address as an unsigned 32-bit integer. */
  readonly last: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Returns a reason string instead of a range when the block is malformed or
 * has host bits set (`10.0.0.1/16`), because AWS and GCP normalise such blocks silently and the
 * plan would then disagree with the config a reviewer read.
 */
export function parseCidr(cidr: string): Ipv4Range | string {
  const m = CIDR_PATTERN.exec(cidr);
  if (!m) return `"${cidr}" is not an IPv4 CIDR block of the form a.b.c.d/n`;
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255)) return `"${cidr}" has an octet above 255`;
  if (prefixLength > 32) return `"${cidr}" has a prefix length above 32`;
  const address = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefixLength);
  const first = Math.floor(address / size) * size;
  if (first !== address) {
    return `"${cidr}" has host bits set; the network address is ${formatIpv4(first)}/${prefixLength}`;
  }
  return { cidr, first, last: first + size - 1, prefixLength };
}

/** The private ranges (RFC 1918), in the order a free block is looked for in them. */
const PRIVATE_POOLS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((b) => parseCidr(b) as Ipv4Range);

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

/** Inside 10/8, 172.16/12 or 192.168/16 (RFC 1918). */
export function isPrivate(range: Ipv4Range): boolean {
  return PRIVATE_POOLS.some((pool) => rangeContains(pool, range));
}


/**
 * The first block of `prefixLength` in the private ranges (10/8, then 172.16/12, then
 * 192.168/16) that overlaps none of `taken`, or undefined when none is left.
 */
export function firstFreeBlock(prefixLength: number, taken: readonly Ipv4Range[]): string | undefined {
  const size = 2 ** (32 - prefixLength);
  for (const pool of PRIVATE_POOLS) {
    let first = pool.first;
    while (first + size - 1 <= pool.last) {
      const end = first + size - 1;
      const blocker = taken.find((t) => t.first <= end && first <= t.last);
      if (!blocker) return `${formatIpv4(first)}/${prefixLength}`;
      // The next aligned block after what is taken.
      first = Math.ceil((blocker.last + 1) / size) * size;
    }
  }
  return undefined;
}

/**
 * The peers whose `X-Forwarded-For` a service believes (TRUSTED_PROXIES): exact addresses, or
 * ranges in CIDR notation for peers whose addresses come and go (Kubernetes pods, whose
 * network policies then decide who those peers may be).
 */
import { BlockList, isIP } from 'node:net';

/** Whether a peer's address is a trusted proxy's. A `Set` of exact addresses is one too. */
export interface TrustedProxies {
  has(address: string): boolean;
}

/** `entries` are addresses or CIDR ranges, IPv4 or IPv6; throws on anything else. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      rest.length > 0 ||
      (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))
    )
      throw new Error(`"${entry}" is not an IP address or a CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return {
    has(peer) {
      // BlockList matches an IPv4-mapped IPv6 peer (a dual-stack server's view of an IPv4
      // client) against the IPv4 entries too.
      const family = isIP(peer);
      return family !== 0 && list.check(peer, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

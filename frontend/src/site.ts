// The deployment's identity, set by whoever deploys the portal (`GET /api/site`): the agency's
// name and logo, its support contact, its one official web address, and whether it is a demo.
// Read once when the app starts and kept; until it arrives the header names no agency (a
// neutral name) and shows no government's signature, so a deployment cannot pass for another
// agency's site.
import { api, type Schemas } from './api/client';
import { pick } from './i18n';

let site: Schemas['Site'] | null = null;

/** Reads the site's identity once; `then` runs when it has arrived (to paint the page again). A
 * failure keeps the neutral defaults. */
export function loadSite(then: () => void): void {
  api('GET', '/api/site')
    .then((answer) => {
      site = answer;
      then();
    })
    .catch(() => undefined);
}

/** The agency's name in the current language, or null while it is not known. */
export function agencyName(): string | null {
  return site ? pick(site.agency) : null;
}

/** The agency's logo or signature (an image address), when the deployer set one. */
export function agencyLogo(): string | null {
  return site?.logoUrl ?? null;
}

/** The portal's only official address (`https://…`), or null while it is not known. */
export function officialAddress(): string | null {
  return site?.officialUrl ?? null;
}

/** How to reach support, or null while it is not known. */
export function supportContact(): { email: string; phone: string | null; hours: string | null } | null {
  if (!site) return null;
  return { email: site.supportEmail, phone: site.supportPhone ?? null, hours: site.supportHours ? pick(site.supportHours) : null };
}

/** Whether this deployment is known to be a real one (not a demo): only then does the footer
 * carry the Government of Canada's wordmark. */
export function isOfficial(): boolean {
  return site !== null && !site.demo;
}

/** Whether this deployment says it is a demo (local mode's default). */
export function isDemo(): boolean {
  return site?.demo ?? false;
}

// Browser journeys against a real local portal serving the built app (dist/), in Debian's
// Chromium driven by playwright-core, with axe checks (no serious or critical violation) on
// every page in English and French. Run by `make test` after `npm run build` and the portal's
// cargo build; PORTAL_BIN points at the portal binary.
//
// One file per journey under journeys/, in the order they run, against one portal and one
// browser (harness.mjs).
import './journeys/applies.mjs';
import './journeys/keyboard-reset.mjs';
import './journeys/inactivity.mjs';
import './journeys/security.mjs';
import './journeys/passkeys.mjs';
import './journeys/appointments.mjs';
import './journeys/representatives.mjs';
import './journeys/help.mjs';
import './journeys/phones.mjs';
import './journeys/officer.mjs';
import './journeys/applicant-features.mjs';
import './journeys/review.mjs';
import './journeys/demo-data.mjs';

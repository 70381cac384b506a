// Generates internal/enginetest/testdata/tcstrings.json: real TCF v2 TC strings encoded
// by the IAB's reference library, @iabtcf/core 1.5.6 (npm), so the Go tests decode strings
// that a real CMP built on it would write. Run from this folder:
//   npm install --no-save @iabtcf/core@1.5.6 && node generate.js > ../../internal/enginetest/testdata/tcstrings.json
// The vendor list below is a minimal Global Vendor List (the encoder needs one to know which
// purposes each vendor declares); vendor 755 declares the purposes the test policies use.
const {TCModel, TCString, GVL, Segment, PurposeRestriction} = require('@iabtcf/core');

const purposes = {};
for (let id = 1; id <= 11; id++) purposes[id] = {id, name: `Purpose ${id}`, description: '', illustrations: []};
const vendor = (id, extra) => Object.assign({id, name: `Vendor ${id}`, purposes: [1, 3, 4, 5, 6],
  legIntPurposes: [2, 7, 9, 10], flexiblePurposes: [2, 7, 9, 10], specialPurposes: [], features: [], specialFeatures: [],
  policyUrl: 'https://vendor.example/privacy', cookieMaxAgeSeconds: 31536000, usesCookies: true}, extra);
const gvlJSON = (policyVersion) => ({gvlSpecificationVersion: 3, vendorListVersion: 150, tcfPolicyVersion: policyVersion,
  lastUpdated: '2027-02-25T16:00:00Z', purposes, specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {},
  vendors: {755: vendor(755), 32: vendor(32, {purposes: [1], legIntPurposes: [2, 7, 9, 10], flexiblePurposes: []})}});

function make(o) {
  const gvl = new GVL(gvlJSON(o.policyVersion ?? 4));
  const m = new TCModel(gvl);
  m.cmpId = 10; m.cmpVersion = 2; m.consentScreen = 1;
  m.isServiceSpecific = true;
  m.publisherCountryCode = 'FR';
  m.purposeConsents.set(o.purposes || []);
  m.purposeLegitimateInterests.set(o.purposesLI || []);
  m.vendorConsents.set(o.vendors || []);
  m.vendorLegitimateInterests.set(o.vendorsLI || []);
  for (const r of (o.restrictions || [])) m.publisherRestrictions.add(r.vendor, new PurposeRestriction(r.purpose, r.type));
  const s = TCString.encode(m, {segments: [Segment.CORE]});
  // created/lastUpdated: the encoder stamps the current time; re-encode with a fixed date.
  const fixed = TCString.decode(s);
  fixed.created = fixed.lastUpdated = new Date(o.created || '2027-03-01T10:00:00Z');
  fixed.gvl = gvl;
  return TCString.encode(fixed, {segments: [Segment.CORE]});
}

const cases = {
  // Every purpose and vendor the test policies read.
  allGranted: {purposes: [1, 3, 4, 5, 6, 7], vendors: [755, 32], vendorsLI: [32]},
  // Purpose 5 refused (the visitor unticked "create a personalised content profile").
  missingPurpose5: {purposes: [1, 3, 4, 6, 7], vendors: [755]},
  // Purposes granted, vendor 755 refused.
  vendorMissing: {purposes: [1, 3, 4, 5, 6, 7], vendors: [32]},
  // Purposes 2 and 7 on legitimate interest only (no objection), no consent bits for them.
  liOnly: {purposes: [1], purposesLI: [2, 7], vendors: [755], vendorsLI: [755]},
  // The same grants under TCF policy version 2 (TCF v2.0), which the policy refuses.
  policyVersion2: {purposes: [1, 3, 4, 5, 6, 7], vendors: [755], policyVersion: 2},
  // Everything granted, but created in 2025: older than a 390d consent max age in 2027.
  old: {purposes: [1, 3, 4, 5, 6, 7], vendors: [755], created: '2025-06-01T10:00:00Z'},
  // Everything granted, but the publisher does not allow vendor 755 for purpose 4.
  restricted: {purposes: [1, 3, 4, 5, 6, 7], vendors: [755], restrictions: [{vendor: 755, purpose: 4, type: 0}]},
  // Nothing granted ("Reject all").
  rejectAll: {},
};
const out = {};
for (const [k, v] of Object.entries(cases)) out[k] = make(v);
console.log(JSON.stringify(out, null, 2));

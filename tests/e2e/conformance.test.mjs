// Conformance: for every protobuf and legacy profile of the public corpus, the page's top
// table must equal `go tool pprof -top` (the oracle in shared/corpus/public/oracle), for
// every sample type: function names, flat, cum, order and total. Also the default sample
// type.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  CORPUS_DIR,
  SEL,
  assertDistBuilt,
  compareTopTable,
  launchBrowser,
  loadFiles,
  oracleProfiles,
  protobufOracleProfiles,
  readOracleIndex,
  readOracleTable,
  readSampleTypes,
  readTopTable,
  requireCorpus,
  selectSampleType,
  startServer,
  unreadableProtobufProfiles,
  withPage, useBrowser,
} from './helpers.mjs';

// Fails first, with a clear message, when the page has not been built.
it('dist/ is built', () => assertDistBuilt());

let corpusError = null;
try {
  requireCorpus();
} catch (e) {
  corpusError = e;
}

if (corpusError) {
  // Fail loudly: a missing corpus must never look like a pass.
  it('shared corpus is present', () => {
    throw corpusError;
  });
} else {
  const legacy = legacyOracleProfiles();
  const profiles = [...protobufOracleProfiles(), ...legacy];
  const unreadable = unreadableProtobufProfiles();

  describe('top table matches go tool pprof (public corpus, protobuf and legacy profiles)', () => {
    const ctx = useBrowser({ before, after });

    it('the oracle lists protobuf profiles', () => {
      assert.ok(profiles.length > 0, `no protobuf profiles with an ok check in ${CORPUS_DIR}/oracle/index.tsv`);
    });

    it('the oracle lists the legacy profiles (binary CPU, heap, contention, threadcreate, Java)', () => {
      assert.ok(legacy.length >= 9, `only ${legacy.length} legacy profiles: ${legacy.map((p) => p.profile).join(', ')}`);
    });

    for (const prof of profiles) {
      const types = prof.types.map((t) => t.name).join(', ');
      it(`${prof.profile} [${types}]`, { timeout: 180_000 }, async (t) => {
        const file = path.join(CORPUS_DIR, prof.profile);
        assert.ok(fs.existsSync(file), `corpus file missing: ${file}`);
        await withPage(ctx.browser, ctx.server, prof.profile, async ({ page }) => {
          await loadFiles(page, [file], { expect: 'ready' });

          const failures = [];
          await t.test(`sample types; default = ${prof.defaultType}`, async () => {
            const { options, selected } = await readSampleTypes(page);
            try {
              assert.deepEqual(
                [...options].sort(),
                prof.types.map((x) => x.name).sort(),
                `${SEL.sampleType} options differ from the profile's sample types`,
              );
              assert.equal(selected, prof.defaultType, `default sample type: page selected ${selected}, pprof's default is ${prof.defaultType}`);
            } catch (e) {
              failures.push('default/options');
              throw e;
            }
          });
          for (const st of prof.types) {
            await t.test(`${st.name} (${st.unit})`, async () => {
              const expected = readOracleTable(st.tsv);
              await selectSampleType(page, st.name);
              const actual = await readTopTable(page);
              const problems = compareTopTable(actual, expected, st.name);
              if (problems.length) {
                failures.push(st.name);
                assert.fail(`${prof.profile} / ${st.name}:\n  ` + problems.join('\n  '));
              }
              t.diagnostic(`${st.name}: ${actual.rows.length} rows in DOM, pprof has ${expected.rows.length}; total ${actual.total}`);
            });
          }
          if (failures.length) assert.fail(`${prof.profile}: differs from pprof in: ${failures.join(', ')}`);
        });
      });
    }

    for (const u of unreadable) {
      it(`${u.profile} (pprof: ${u.reason.replace(/^UNREADABLE:\s*/, '')}) gives an error naming the file, or a table`, { timeout: 60_000 }, async (t) => {
        const file = path.join(CORPUS_DIR, u.profile);
        assert.ok(fs.existsSync(file), `corpus file missing: ${file}`);
        await withPage(ctx.browser, ctx.server, u.profile, async ({ page }) => {
          const res = await loadFiles(page, [file], { expect: 'any' });
          if (res.state === 'error') {
            assert.ok(res.error !== null, `data-state=error but no ${SEL.error} element`);
            assert.ok(res.error.includes(u.profile), `${SEL.error} text does not name the file ${u.profile}: ${JSON.stringify(res.error)}`);
            t.diagnostic(`page rejected it: ${JSON.stringify(res.error)}`);
          } else {
            const table = await readTopTable(page);
            const { selected } = await readSampleTypes(page);
            t.diagnostic(
              `page accepted it (pprof rejects it): sample type ${selected}, ${table.rows.length} rows, total ${table.total}` +
                (table.rows[0] ? `, top ${JSON.stringify(table.rows[0].fn)} flat=${table.rows[0].flat}` : ''),
            );
          }
        });
      });
    }
  });
}

/**
 * The legacy profiles of the oracle (`legacy text`, `legacy binary`) pprof reads, shaped as
 * protobufOracleProfiles() shapes its own. Left out: goroutine `debug=1` text with `#`
 * symbol lines, which pprof reads as bare addresses (one `<unknown>` node) and profdrop
 * names from those lines (tests/conformance.rs checks its counts against pprof's).
 */
function legacyOracleProfiles() {
  return oracleProfiles((r) => {
    if (!r.format.startsWith('legacy')) return false;
    const text = fs.readFileSync(path.join(CORPUS_DIR, r.profile)).toString('latin1');
    return !(/^goroutine profile: total/.test(text) && /^#\t0x/m.test(text));
  });
}

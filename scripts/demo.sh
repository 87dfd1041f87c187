#!/usr/bin/env bash
# The end-to-end story bonafide tells so far, narrated: a government issuer puts an SD-JWT VC
# digital ID and a VC-JWT Veteran Card into a citizen's wallet, and DVLA her driving licence as an
# ISO 18013-5 mdoc; the citizen shows a shop only that she is over 18, an employer her Veteran
# Card, and a car hire firm her licence; the verifiers check the credentials and their
# revocation status; the issuers revoke; the same presentations are then rejected. Everything
# runs through the `bonafide` CLI on files in build/demo/. Part two runs the issuance through the
# issuer server; part three a right-to-work and an age check through the trust registry, a verifier
# server and the wallet (OpenID4VP).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BONAFIDE_BUILD_DIR:-$PWD/build}
B=${BONAFIDE:-$BUILD_DIR/src/cli/bonafide}
B=$(realpath "$B")
DIR=$BUILD_DIR/demo
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR"

bold=$(tput bold 2>/dev/null || true); dim=$(tput dim 2>/dev/null || true); off=$(tput sgr0 2>/dev/null || true)
step=0
say() { step=$((step + 1)); printf '\n%s%d. %s%s\n' "$bold" "$step" "$1" "$off"; }
run() { printf '%s   $ bonafide %s%s\n' "$dim" "$*" "$off" >&2; "$B" "$@"; }
show() { printf '   %s\n' "$@"; }
expect_fail() {
  local out
  if out=$("$B" "$@"); then echo "   UNEXPECTED: verification passed" >&2; exit 1; fi
  printf '%s   $ bonafide %s%s\n' "$dim" "$*" "$off"
  printf '   -> %s\n' "$out"
}
# field EXPR: evaluates a JavaScript expression over the JSON on stdin, bound to d.
field() { node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const d=JSON.parse(s);const v=($1);console.log(typeof v==='string'?v:JSON.stringify(v));})"; }

say "The Government Digital Service creates its issuing key (P-256, ES256), and Ada's phone creates a device key"
run key generate --alg ES256 --out gds.jwk
run key generate --alg ES256 --out ada-device.jwk
run key public ada-device.jwk > ada-device.pub.jwk
show "Ada's wallet is identified to issuers by $("$B" key did ada-device.jwk)"

say "GDS publishes an empty revocation list (2 bits per credential: valid / invalid / suspended)"
run status create --bits 2 --size 100000 --out gds-status.json
run status token gds-status.json --issuer-key gds.jwk --sub https://gds.example.gov.uk/status/1 --out gds-status.jwt

cat > digital-id.json <<'JSON'
{"family_name": "Lovelace", "given_name": "Ada", "birth_date": "1990-12-10", "nationality": "GB",
 "residency_status": "british_citizen", "age_over_16": true, "age_over_18": true, "age_over_21": true,
 "age_over_25": true, "document_number": "GDS-2026-0001234", "issuing_authority": "Government Digital Service",
 "issuing_country": "GB"}
JSON
say "GDS issues Ada's digital ID as an SD-JWT VC bound to her device key, every personal claim selectively disclosable"
run sdjwt issue --issuer-key gds.jwk --iss https://gds.example.gov.uk --vct urn:uk:gov:digital-id:1 \
  --claims digital-id.json --holder-key ada-device.pub.jwk --all-disclosable \
  --status-uri https://gds.example.gov.uk/status/1 --status-idx 4711 --out digital-id.sdjwt
show "The issuer-signed part shows no personal data, only digests: $(cut -c1-60 digital-id.sdjwt)..."

say "A shop asks Ada to prove she is over 18 (nonce 8f3c1, audience https://shop.example). Her wallet reveals age_over_18 only"
run sdjwt present --credential digital-id.sdjwt --holder-key ada-device.jwk --disclose age_over_18 \
  --nonce 8f3c1 --aud https://shop.example --out age-proof.txt
show "Disclosures sent: $(( $(tr '~' '\n' < age-proof.txt | sed -n '2,$p' | grep -c .) - 1 )) of $(tr '~' '\n' < digital-id.sdjwt | sed -n '2,$p' | grep -c .), plus a key binding JWT signed by her device"

say "The shop verifies: GDS signature, disclosures, Ada's device signature over its nonce, and the revocation list"
result=$("$B" sdjwt verify --issuer-key gds.jwk --nonce 8f3c1 --aud https://shop.example --status-list gds-status.jwt age-proof.txt)
printf '%s   $ bonafide sdjwt verify --issuer-key gds.jwk --nonce 8f3c1 --aud https://shop.example --status-list gds-status.jwt age-proof.txt%s\n' "$dim" "$off"
show "valid: $(echo "$result" | field 'd.valid'), personal claims the shop learns: $(echo "$result" | field 'Object.fromEntries(Object.entries(d.claims).filter(([k]) => !["iss","iat","nbf","exp","cnf","vct","status"].includes(k)))')"

say "The Ministry of Defence issues Ada's HM Armed Forces Veteran Card as a W3C VC-JWT from did:web"
run key generate --alg ES256 --out mod.jwk
run vc did-doc --issuer-key mod.jwk --did did:web:veterans.mod.example.gov.uk --out mod-did.json
run status create --kind bitstring --size 131072 --out mod-status.json
run status token mod-status.json --issuer-key mod.jwk --sub https://veterans.mod.example.gov.uk/status/1 \
  --iss did:web:veterans.mod.example.gov.uk --kid did:web:veterans.mod.example.gov.uk#key-1 --out mod-status.jwt
cat > veteran.json <<'JSON'
{"name": [{"nameParts": [{"type": "GivenName", "value": "Ada"}, {"type": "FamilyName", "value": "Lovelace"}]}],
 "birthDate": [{"value": "1990-12-10"}],
 "veteranCard": [{"expiryDate": "2031-01-01", "serviceNumber": "25057386", "serviceBranch": "Royal Navy", "photo": "/9j/4AAQSkZJRgABAQ"}]}
JSON
run vc issue --issuer-key mod.jwk --issuer did:web:veterans.mod.example.gov.uk --type DigitalVeteranCard \
  --name "HM Armed Forces Veteran Card" --description "HM Armed Forces Veteran Card" --claims veteran.json \
  --holder-key ada-device.pub.jwk --status-uri https://veterans.mod.example.gov.uk/status/1 --status-idx 90210 \
  --out veteran.jwt

say "An employer checks veteran status: Ada's wallet wraps the card in a presentation signed by her device"
run vc present --credential veteran.jwt --holder-key ada-device.jwk --nonce c0ffee --aud https://employer.example --out veteran-vp.jwt
result=$("$B" vc verify veteran-vp.jwt --did-doc mod-did.json --nonce c0ffee --aud https://employer.example --status-list mod-status.jwt)
printf '%s   $ bonafide vc verify veteran-vp.jwt --did-doc mod-did.json --nonce c0ffee --aud https://employer.example --status-list mod-status.jwt%s\n' "$dim" "$off"
show "valid: $(echo "$result" | field 'd.valid'), $(echo "$result" | field 'd.credentials[0].type') issued by $(echo "$result" | field 'd.credentials[0].issuer'), branch $(echo "$result" | field 'd.credentials[0].credentialSubject.veteranCard[0].serviceBranch')"

say "DVLA runs an IACA root (P-256, Annex B profile) and a document signer certificate issued by it"
run pki create-iaca --out-dir dvla-iaca --country GB --name "DVLA IACA" > /dev/null
run pki create-ds --iaca-dir dvla-iaca --out-dir dvla-ds --name "DVLA document signer" > /dev/null
run status create --bits 2 --size 100000 --out dvla-status.json
run status token dvla-status.json --issuer-key dvla-ds/ds.key.pem --sub https://dvla.example.gov.uk/status/1 --out dvla-status.jwt
cat > licence.json <<'JSON'
{"org.iso.18013.5.1": {"family_name": "Lovelace", "given_name": "Ada", "birth_date": "1990-12-10",
  "issue_date": "2024-03-01", "expiry_date": "2034-02-28", "issuing_country": "GB", "issuing_authority": "DVLA",
  "document_number": "LOVEL912100A99AB", "portrait": "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==",
  "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "2008-06-01", "expiry_date": "2034-02-28"}],
  "un_distinguishing_sign": "UK", "age_over_18": true},
 "org.iso.18013.5.1.GB": {"welsh_licence": false, "title": "Dr"}}
JSON

say "DVLA issues Ada's driving licence as an mdoc (org.iso.18013.5.1.mDL) bound to her device key"
run mdoc issue --ds-key dvla-ds/ds.key.pem --ds-cert dvla-ds/ds.pem --doctype org.iso.18013.5.1.mDL \
  --claims licence.json --device-key ada-device.pub.jwk --valid-days 365 \
  --status-uri https://dvla.example.gov.uk/status/1 --status-idx 31337 --out licence.mdoc
show "Every element is a salted, digested item; the document signer signs only the digests (MSO)."

say "A car hire firm asks over OpenID4VP for her names, portrait and driving privileges; her wallet releases those four"
OID4VP=(--transcript oid4vp --client-id x509_san_dns:carhire.example --response-uri https://carhire.example/post --nonce 5e1f9)
run mdoc present --issuer-signed licence.mdoc --device-key ada-device.jwk \
  --disclose org.iso.18013.5.1/family_name,org.iso.18013.5.1/given_name,org.iso.18013.5.1/portrait,org.iso.18013.5.1/driving_privileges \
  "${OID4VP[@]}" --out licence-response.txt

say "The car hire firm verifies: IACA -> DS chain, issuerAuth, every digest, Ada's device signature over the session, status"
result=$("$B" mdoc verify --iaca dvla-iaca/iaca.pem "${OID4VP[@]}" --status-list dvla-status.jwt licence-response.txt)
printf '%s   $ bonafide mdoc verify --iaca dvla-iaca/iaca.pem --transcript oid4vp ... --status-list dvla-status.jwt licence-response.txt%s
' "$dim" "$off"
show "valid: $(echo "$result" | field 'd.valid'), categories: $(echo "$result" | field 'd.claims["org.iso.18013.5.1"].driving_privileges.map(p => p.vehicle_category_code).join(",")'), elements seen: $(echo "$result" | field 'Object.keys(d.claims["org.iso.18013.5.1"]).join(", ")')"

say "Ada reports her phone stolen: GDS, MoD and DVLA revoke her credentials and republish their lists"
run status set gds-status.json --idx 4711 --value invalid
run status token gds-status.json --issuer-key gds.jwk --sub https://gds.example.gov.uk/status/1 --out gds-status.jwt
run status set mod-status.json --idx 90210 --value invalid
run status token mod-status.json --issuer-key mod.jwk --sub https://veterans.mod.example.gov.uk/status/1 \
  --iss did:web:veterans.mod.example.gov.uk --kid did:web:veterans.mod.example.gov.uk#key-1 --out mod-status.jwt
run status set dvla-status.json --idx 31337 --value invalid
run status token dvla-status.json --issuer-key dvla-ds/ds.key.pem --sub https://dvla.example.gov.uk/status/1 --out dvla-status.jwt
show "The lists reveal nothing about where the credentials were used: verifiers fetch whole lists."

say "The same presentations are now rejected"
expect_fail sdjwt verify --issuer-key gds.jwk --nonce 8f3c1 --aud https://shop.example --status-list gds-status.jwt age-proof.txt
expect_fail vc verify veteran-vp.jwt --did-doc mod-did.json --nonce c0ffee --aud https://employer.example --status-list mod-status.jwt
expect_fail mdoc verify --iaca dvla-iaca/iaca.pem "${OID4VP[@]}" --status-list dvla-status.jwt licence-response.txt

say "And a replay of the age proof to another shop fails on the audience before status is even consulted"
expect_fail sdjwt verify --issuer-key gds.jwk --nonce 8f3c1 --aud https://other-shop.example --status-list gds-status.jwt age-proof.txt


printf '\n%sPart two: the same story through the servers%s (OpenID4VCI 1.0 over HTTP on loopback, SQLite store)\n' "$bold" "$off"

# free_port: asks the kernel for an unused loopback port.
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})"; }
PORT=$(free_port)
ISSUER_URL=http://127.0.0.1:$PORT
PIN=271828

say "GDS sets up its issuer: keys, IACA and document signer, status lists, the UK catalogue, three demo citizens"
run issuer init --data-dir gds-issuer --issuer-url "$ISSUER_URL" --demo > issuer-init.json
show "Credential configurations: $(field 'd.credential_configurations.join(", ")' < issuer-init.json)"
printf '%s   $ bonafide issuer serve --data-dir gds-issuer --listen 127.0.0.1:%s &%s\n' "$dim" "$PORT" "$off" >&2
"$B" issuer serve --data-dir gds-issuer --listen "127.0.0.1:$PORT" > serve.out 2> serve.log &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if node -e "fetch('$ISSUER_URL/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then break; fi
  sleep 0.1
done
show "Issuer listening on $ISSUER_URL: $(node -e "fetch('$ISSUER_URL/.well-known/openid-credential-issuer').then(r=>r.json()).then(m=>console.log(Object.keys(m.credential_configurations_supported).length+' configurations, display in '+[...new Set(m.display.map(d=>d.locale))].join(' and ')))")"
ADMIN=(--url "$ISSUER_URL" --admin-token-file gds-issuer/admin-token)
# receive URI: `wallet receive` for Callum's wallet (PIN and tx_code on stdin); the long offer URI
# is shortened in the printed command only.
receive() {
  printf '%s   $ bonafide wallet receive --dir callum-wallet --pin-stdin --insecure-http-loopback %s...%s\n' \
    "$dim" "${1:0:60}" "$off" >&2
  "$B" wallet receive --dir callum-wallet --pin-stdin --insecure-http-loopback "$1"
}

say "Callum sets up his wallet: credentials and device keys encrypted under a key sealed by his PIN (Argon2id)"
echo "$PIN" | run wallet init --dir callum-wallet --pin-stdin > /dev/null

say "The issuer offers Callum each UK credential; his wallet collects each over OpenID4VCI (token, nonce, proof of his device key, credential)"
for config in uk.gov.digital-id.sd-jwt uk.gov.digital-id.mdoc org.iso.18013.5.1.mDL uk.gov.mod.veteran-card \
              uk.gov.dbs.basic-check uk.gov.homeoffice.evisa uk.gov.gro.marriage; do
  if [ "$config" = uk.gov.digital-id.sd-jwt ]; then
    offer=$(run issuer offer "${ADMIN[@]}" --citizen demo-0001 --credential "$config" --tx-code --qr digital-id-offer.png)
    tx=$(echo "$offer" | field 'd.tx_code')
    show "Offer with a transaction code sent to Callum separately ($tx); QR code in digital-id-offer.png"
    printf '%s\n%s\n' "$PIN" "$tx" | receive "$(echo "$offer" | field 'd.offer_uri')" > received.json
  else
    offer=$(run issuer offer "${ADMIN[@]}" --citizen demo-0001 --credential "$config")
    echo "$PIN" | receive "$(echo "$offer" | field 'd.offer_uri')" > received.json
  fi
  show "received $(field 'd.received.map(r => r.configuration_id + " (" + r.copies + " copies)").join(", ")' < received.json)"
done

say "Callum's wallet"
echo "$PIN" | run wallet list --dir callum-wallet --pin-stdin
if grep -rl "Morrison" callum-wallet > /dev/null 2>&1; then echo "   UNEXPECTED: the wallet files contain a name in the clear" >&2; exit 1; fi
show "A search of the wallet's files for his surname finds nothing: everything is encrypted at rest."

say "DVLA revokes Callum's driving licence (every copy) and republishes its list"
run issuer revoke "${ADMIN[@]}" --citizen demo-0001 --credential-type org.iso.18013.5.1.mDL
show "What was issued to Callum, with status:"
node -e "fetch('$ISSUER_URL/admin/citizens/demo-0001/credentials',{headers:{authorization:'Bearer '+require('fs').readFileSync('gds-issuer/admin-token','utf8').trim()}}).then(r=>r.json()).then(d=>{const m={};for(const c of d.credentials){m[c.credential_configuration_id]=c.status}for(const [k,v] of Object.entries(m))console.log('   '+k.padEnd(28)+' '+v)})"

say "Every issuance, revocation and admin action is in the hash-chained audit log"
run issuer audit verify --data-dir gds-issuer

printf '\n%sPart three: a check through a verifier%s (OpenID4VP 1.0, trust registry, right to work and age)\n' "$bold" "$off"

say "The trust registry lists the issuer and registers an employer for right-to-work and age checks"
run registry init --data-dir registry > /dev/null
run registry add-issuer --data-dir registry --metadata-url "$ISSUER_URL" > /dev/null
# client_id localhost: the demo's verifier runs on this machine (a real one has its own DNS name).
run registry add-rp --data-dir registry --name "Acme Employer plc" --registration-number 01234567 \
  --client-id localhost --allow-localhost --purpose right_to_work,age_over_18 --out-dir acme > /dev/null
run registry publish --data-dir registry --out trust.jwt > /dev/null
show "Acme's access certificate, key and signed registration are in acme/; the signed trust list is trust.jwt"

say "Acme sets up its verifier with them and starts it"
VPORT=$(free_port)
VERIFIER_URL=http://localhost:$VPORT
run verifier init --data-dir acme-verifier --rp-dir acme --trust-list trust.jwt --url "$VERIFIER_URL" \
  --listen "127.0.0.1:$VPORT" > /dev/null
printf '%s   $ bonafide verifier serve --data-dir acme-verifier &%s\n' "$dim" "$off" >&2
"$B" verifier serve --data-dir acme-verifier > verifier.out 2> verifier.log &
VERIFIER_PID=$!
trap 'kill "$SERVE_PID" "$VERIFIER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$VPORT/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then break; fi
  sleep 0.1
done

say "Callum's wallet is told which registry to trust (the trust list and its pinned root)"
run wallet trust --dir callum-wallet --trust-list trust.jwt --registry-root acme/registry_root.pem > /dev/null

say "Acme checks Callum's right to work: his wallet shows who is asking, for what, and each attribute; he approves"
run verifier check --url "$VERIFIER_URL" --check right_to_work --qr right-to-work.png > check.json
echo "$PIN" | run wallet present --dir callum-wallet --pin-stdin --yes --insecure-http-loopback \
  "$(field 'd.request_uri' < check.json)" > presented.json
run verifier result --url "$VERIFIER_URL" "$(field 'd.session_id' < check.json)" --wait 20 > result.json
show "Decision: $(field 'd.outcome + " (" + d.credential.type + " from " + d.issuer.name + "), check record signed: " + (typeof d.check_record === "string")' < result.json)"

say "A shop (the same verifier, age check) learns only that he is over 18"
run verifier check --url "$VERIFIER_URL" --check age_over_18 > check.json
echo "$PIN" | run wallet present --dir callum-wallet --pin-stdin --yes --insecure-http-loopback \
  "$(field 'd.request_uri' < check.json)" > presented.json
run verifier result --url "$VERIFIER_URL" "$(field 'd.session_id' < check.json)" --wait 20 > result.json
show "Decision: $(field 'd.outcome' < result.json); facts the verifier received: $(field 'd.facts' < result.json)"
if grep -q "Morrison" result.json verifier.log; then echo "   UNEXPECTED: the age check exposed a name" >&2; exit 1; fi

say "GDS revokes Callum's Digital ID; Acme's follow-up right-to-work check now fails"
run issuer revoke "${ADMIN[@]}" --citizen demo-0001 --credential-type uk.gov.digital-id.sd-jwt > /dev/null
run issuer revoke "${ADMIN[@]}" --citizen demo-0001 --credential-type uk.gov.digital-id.mdoc > /dev/null
run verifier check --url "$VERIFIER_URL" --check right_to_work > check.json
if echo "$PIN" | "$B" wallet present --dir callum-wallet --pin-stdin --yes --insecure-http-loopback \
  "$(field 'd.request_uri' < check.json)" > presented.json 2> present.err; then
  echo "   UNEXPECTED: the verifier accepted a revoked credential" >&2; exit 1
fi
printf '%s   $ bonafide wallet present --dir callum-wallet --pin-stdin --yes ... (refused by the verifier)%s\n' "$dim" "$off"
run verifier result --url "$VERIFIER_URL" "$(field 'd.session_id' < check.json)" --wait 20 > result.json
show "Result: $(field 'd.status + ", " + d.error + " (right-to-work checks always fetch the current status list)"' < result.json)"

say "Callum's wallet keeps a history of what it shared, with whom (attribute names, never values)"
echo "$PIN" | run wallet history --dir callum-wallet --pin-stdin

kill "$SERVE_PID" "$VERIFIER_PID" 2>/dev/null || true
wait "$SERVE_PID" 2>/dev/null || true
wait "$VERIFIER_PID" 2>/dev/null || true
trap - EXIT

printf '\n%sDemo complete.%s Files are in %s.\n' "$bold" "$off" "$DIR"
printf 'The same system with its web pages (issuer console, employer portal, web wallet) in a browser:\n'
printf '   %s up\n' "$B"

#!/usr/bin/env bash
# Install a private copy of a program from Debian unstable (sid) into a prefix, without touching the
# system:
#
#   bash .ci/install-from-sid.sh pg-client [major=18] [prefix=/opt/foodsave-pg-client-<major>]
#       pg_dump, pg_restore and psql of that major; the last line is PG_BIN_DIR=<prefix>/bin
#   bash .ci/install-from-sid.sh pgbouncer [prefix=/opt/foodsave-pgbouncer]
#       PgBouncer 1.22 or later; the last line is PGBOUNCER_BIN=<prefix>/bin/pgbouncer
#
# Without a prefix, a non-root user whose /opt is not writable gets ~/.cache/<the default's name>.
#
# Why: the backup tests need pg_dump/pg_restore whose major is >= the server's, and the test
# servers go up to 18, while Debian 12 only ships postgresql-client-15; and Debian 12's PgBouncer is
# 1.18, which predates the tracking of named prepared statements in transaction mode (1.21,
# max_prepared_statements; 1.22 forwards Close too) that the prepared-statement tests run behind. Sid's binaries need a
# newer glibc than the host's, so this script downloads the package and the
# shared-library closure of its Depends from sid (SHA256 of every .deb checked against the
# Packages index, whose hash is checked against the InRelease file, whose signature is
# checked with gpgv when the Debian archive keyring is available), unpacks them with
# `dpkg-deb -x` into the prefix and writes wrappers in <prefix>/bin that run the real
# binaries through the prefix's own dynamic loader and libraries. Nothing is exported to
# child processes (no LD_LIBRARY_PATH), so psql's pager and \! run with the host's libraries.
#
# Needs: bash, curl, xz, python3, dpkg-deb, sha256sum (gpgv + debian-archive-keyring optional).
# Environment overrides: PG_CLIENT_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# PG_CLIENT_DEBIAN_SUITE (default sid), PG_CLIENT_REQUIRE_SIGNATURE=1 (fail instead of
# warning when the InRelease signature cannot be checked).
set -Eeuo pipefail

T0=${EPOCHREALTIME:-$(date +%s)}
me=install-from-sid
die() { echo "$me: ERROR: $*" >&2; exit 1; }
note() { echo "$me: $*"; }
# shellcheck disable=SC2154 # rc is assigned inside the trap
trap 'rc=$?; echo "$me: ERROR: command failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR
elapsed() { awk -v a="$T0" -v b="${EPOCHREALTIME:-$(date +%s)}" 'BEGIN { printf "%.1fs", b - a }'; }

# What each kind installs: the root package, its binaries and where the package puts them, what the
# last line of output says, and how to tell that a prefix already holds the wanted version.
KIND=${1:-}
case $KIND in
  pg-client)
    MAJOR=${2:-18}
    [[ $MAJOR =~ ^[0-9]+$ ]] || die "major must be a number, got '$MAJOR' (usage: $0 pg-client [major] [prefix])"
    PREFIX=${3:-/opt/foodsave-pg-client-$MAJOR}
    PREFIX_GIVEN=${3:+yes}
    ROOT=postgresql-client-$MAJOR
    BINS=(pg_dump pg_restore psql)
    bindir=usr/lib/postgresql/$MAJOR/bin
    extra_libdir=usr/lib/postgresql/$MAJOR/lib
    result() { echo "PG_BIN_DIR=$1/bin"; }
    ;;
  pgbouncer)
    PREFIX=${2:-/opt/foodsave-pgbouncer}
    PREFIX_GIVEN=${2:+yes}
    ROOT=pgbouncer
    BINS=(pgbouncer)
    bindir=usr/sbin
    extra_libdir=
    result() { echo "PGBOUNCER_BIN=$1/bin/pgbouncer"; }
    ;;
  *) die "usage: $0 pg-client [major] [prefix] | $0 pgbouncer [prefix]" ;;
esac
MIRROR=${PG_CLIENT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR%/}
SUITE=${PG_CLIENT_DEBIAN_SUITE:-sid}

# Whether "<prefix>/bin/<tool> --version" is the wanted version: the major for the client
# ("pg_dump (PostgreSQL) 18.1 (Debian 18.1-1)"), 1.22 or later for PgBouncer ("PgBouncer 1.26.1").
wanted_version() {
  local out
  out=$("$1/bin/$2" --version 2>/dev/null) || return 1
  if [[ $KIND == pg-client ]]; then
    [[ $out =~ \)\ ([0-9]+) ]] && [[ ${BASH_REMATCH[1]} == "$MAJOR" ]]
  else
    [[ $out =~ PgBouncer\ ([0-9]+)\.([0-9]+) ]] && (( BASH_REMATCH[1] > 1 || (BASH_REMATCH[1] == 1 && BASH_REMATCH[2] >= 22) ))
  fi
}
already_installed() {
  local b
  for b in "${BINS[@]}"; do wanted_version "$1" "$b" || return 1; done
}
version_of() { "$1/bin/${BINS[0]}" --version 2>&1 | head -n 1; }
finish_ok() { # $1 = prefix, $2 = message
  note "$2 in $(elapsed)"
  result "$1"
  exit 0
}

if already_installed "$PREFIX"; then
  finish_ok "$PREFIX" "$(version_of "$PREFIX") already installed in $PREFIX"
fi

[[ $(uname -m) == x86_64 ]] || die "only x86_64 (Debian amd64) is supported, this is $(uname -m)"
for t in curl xz python3 dpkg-deb sha256sum awk readlink; do
  command -v "$t" >/dev/null || die "required tool '$t' not found in PATH"
done

# Where to write: the prefix's parent must be writable (we build next to it, then rename).
# If the default prefix is not writable for a non-root user, fall back to ~/.cache.
parent=$(dirname -- "$PREFIX")
if ! { mkdir -p -- "$parent" 2>/dev/null && [[ -w $parent ]]; }; then
  if [[ -z ${PREFIX_GIVEN:-} && -n ${HOME:-} ]]; then
    PREFIX=${XDG_CACHE_HOME:-$HOME/.cache}/${PREFIX#/opt/}
    note "$parent is not writable, using $PREFIX instead"
    parent=$(dirname -- "$PREFIX")
    mkdir -p -- "$parent" || die "cannot create $parent"
    if already_installed "$PREFIX"; then
      finish_ok "$PREFIX" "$(version_of "$PREFIX") already installed in $PREFIX"
    fi
  else
    die "cannot write to $parent: run as root or pass a writable prefix, e.g. bash $0 $KIND${MAJOR:+ $MAJOR} \$HOME/.cache/$(basename -- "$PREFIX")"
  fi
fi
PREFIX=$(cd -- "$parent" && pwd -P)/$(basename -- "$PREFIX")
parent=$(dirname -- "$PREFIX")

# Serialize concurrent runs on the same prefix, then re-check.
if command -v flock >/dev/null; then
  exec 9>"$parent/.$(basename -- "$PREFIX").lock"
  flock -w 600 9 || die "timed out waiting for another install into $PREFIX"
  if already_installed "$PREFIX"; then
    finish_ok "$PREFIX" "$(version_of "$PREFIX") installed in $PREFIX by a concurrent run"
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
stage=$(mktemp -d "$PREFIX.tmp.XXXXXX")
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { rm -rf -- "$work" "$stage"; }
trap cleanup EXIT

fetch() { # url output
  curl -fsS --retry 3 --retry-delay 1 --connect-timeout 20 --max-time 300 -o "$2" "$1" ||
    die "download failed: $1"
}

# 1. Release file: signature (when possible) and the hash of Packages.xz.
dist=$MIRROR/dists/$SUITE
fetch "$dist/InRelease" "$work/InRelease"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
sigmsg=""
if command -v gpgv >/dev/null && [[ -r $keyring ]]; then
  gpgv --status-fd 3 --keyring "$keyring" --output "$work/Release" "$work/InRelease" \
    3>"$work/gpgv.status" >/dev/null 2>&1 || true
  if grep -q '^\[GNUPG:\] BADSIG' "$work/gpgv.status"; then
    die "bad signature on $dist/InRelease"
  elif grep -q '^\[GNUPG:\] VALIDSIG' "$work/gpgv.status" && [[ -s $work/Release ]]; then
    sigmsg="signature OK"
  else
    sigmsg="signature NOT verified (no usable key in $keyring)"
  fi
else
  sigmsg="signature NOT verified (gpgv or $keyring missing)"
fi
if [[ $sigmsg != "signature OK" ]]; then
  [[ ${PG_CLIENT_REQUIRE_SIGNATURE:-0} == 1 ]] && die "$dist/InRelease: $sigmsg"
  echo "$me: WARNING: $dist/InRelease $sigmsg" >&2
  # Use only the clear-signed body.
  awk '/^-----BEGIN PGP SIGNATURE/ { exit } body { print } /^$/ && !body { body = 1 }' \
    "$work/InRelease" >"$work/Release"
fi
idx=main/binary-amd64/Packages.xz
read -r idx_sha _ < <(awk -v f="$idx" '
  /^[^ ]/ { insha = ($1 == "SHA256:") }
  insha && $3 == f { print $1, $2; exit }' "$work/Release") || true
[[ ${idx_sha:-} =~ ^[0-9a-f]{64}$ ]] || die "no SHA256 for $idx in $dist/InRelease"

# 2. Packages index (by hash first: immune to a mirror update between the two downloads).
if ! curl -fsS --retry 2 --connect-timeout 20 --max-time 300 -o "$work/Packages.xz" \
  "$dist/main/binary-amd64/by-hash/SHA256/$idx_sha" 2>/dev/null; then
  fetch "$dist/$idx" "$work/Packages.xz"
fi
echo "$idx_sha  $work/Packages.xz" | sha256sum -c --quiet - >/dev/null 2>&1 ||
  die "SHA256 mismatch for $dist/$idx (mirror being updated? retry)"
xz -dc "$work/Packages.xz" >"$work/Packages"

# 3. Dependency closure (first alternative of a|b, versions ignored, irrelevant packages skipped).
python3 - "$work/Packages" "$ROOT" >"$work/manifest" <<'PY' ||
import re, sys
path, root = sys.argv[1], sys.argv[2]
# Not needed to run the client binaries: maintainer-script helpers, the pg_wrapper perl layer,
# data-only/doc-only packages, and plugins that the sid libraries would look for in host paths anyway.
skip = re.compile(r"^(debconf(-2\.0)?|sensible-utils|postgresql-client-common|postgresql-common|"
                  r"perl.*|libperl.*|netbase|readline-common|gcc-\d+-base|libc-gconv-modules-extra|"
                  r"openssl-provider-legacy|ca-certificates|tzdata|libpq-oauth)$")
with open(path, encoding="utf-8", errors="replace") as fh:
    stanzas = {}
    for st in fh.read().split("\n\n"):
        if st.startswith("Package: "):
            stanzas.setdefault(st[9:st.find("\n")].strip(), st)
def fields(name):  # parse one stanza on demand (parsing all ~70k would take seconds)
    f = {}
    for line in stanzas[name].split("\n"):
        if line and line[0] not in " \t":
            k, _, v = line.partition(":")
            f[k] = v.strip()
    return f
def providers(virtual):
    pat = re.compile(r"^Provides:.*(?:\s|,|^)" + re.escape(virtual) + r"(?:\s|,|$)", re.M)
    return sorted(n for n, st in stanzas.items() if "Provides:" in st and pat.search(st))
if root not in stanzas:
    similar = sorted(n for n in stanzas if n.startswith(root.rstrip("0123456789")))
    sys.exit(f"{root} is not in the index; similar packages: {similar or 'none'}")
order, seen, skipped, notes, queue = [], set(), set(), [], [root]
while queue:
    name = queue.pop(0)
    if name in seen:
        continue
    seen.add(name)
    if skip.match(name):
        skipped.add(name)
        continue
    if name not in stanzas:
        prov = providers(name)
        if len(prov) == 1:
            notes.append(f"{name}->{prov[0]}")
            queue.append(prov[0])
        else:
            notes.append(f"{name} (virtual/absent, skipped)")
        continue
    order.append(name)
    f = fields(name)
    for field in ("Pre-Depends", "Depends"):
        for dep in f.get(field, "").split(","):
            dep = dep.split("|")[0].strip().split(" ")[0].split(":")[0]
            if dep:
                queue.append(dep)
for name in order:
    f = fields(name)
    if not re.fullmatch(r"[0-9a-f]{64}", f.get("SHA256", "")) or not f.get("Filename"):
        sys.exit(f"{name}: no Filename/SHA256 in the index")
    print(name, f["Version"], f["Filename"], f["SHA256"], f.get("Size", "0"), sep="\t")
if skipped:
    print("#skipped: " + " ".join(sorted(skipped)))
if notes:
    print("#notes: " + " ".join(notes))
PY
  die "resolving $ROOT in $SUITE failed (see above)"

# 4. Download the .debs in parallel and check their SHA256 against the index.
: >"$work/curl.cfg"
: >"$work/sha256"
npk=0 bytes=0
while IFS=$'\t' read -r name ver file sha size; do
  [[ $name == \#* ]] && continue
  deb="$work/${file##*/}"
  printf 'url = "%s"\noutput = "%s"\n' "$MIRROR/$file" "$deb" >>"$work/curl.cfg"
  echo "$sha  $deb" >>"$work/sha256"
  npk=$((npk + 1)) bytes=$((bytes + size))
  [[ $name == "$ROOT" ]] && root_ver=$ver
done <"$work/manifest"
curl -fsS --retry 3 --retry-delay 1 --connect-timeout 20 --max-time 300 --no-progress-meter --parallel --parallel-max 8 \
  -K "$work/curl.cfg" || die "downloading the .deb files from $MIRROR failed"
if ! sha256sum -c --quiet "$work/sha256" >"$work/sha.out" 2>&1; then
  cat "$work/sha.out" >&2
  die "SHA256 mismatch of downloaded .deb files (see above)"
fi

# 5. Unpack into the staging dir; drop docs; make absolute symlinks point inside the prefix.
while read -r _ deb; do
  dpkg-deb -x "$deb" "$stage" || die "dpkg-deb -x ${deb##*/} failed"
done <"$work/sha256"
rm -rf -- "$stage"/usr/share/{doc,man,info,lintian,bug}
python3 - "$stage" <<'PY'
import os, sys
root = sys.argv[1]
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        if os.path.islink(p):
            t = os.readlink(p)
            if t.startswith("/"):
                os.unlink(p)
                os.symlink(os.path.relpath(root + t, d), p)
PY

triplet=x86_64-linux-gnu
loader=""
for cand in usr/lib/$triplet/ld-linux-x86-64.so.2 lib/$triplet/ld-linux-x86-64.so.2; do
  [[ -f $stage/$cand && ! -L $stage/$cand ]] && { loader=$cand; break; }
done
[[ -n $loader ]] || die "no ld-linux-x86-64.so.2 found in the unpacked libc6"
libdirs=()
for d in usr/lib/$triplet lib/$triplet $extra_libdir; do
  [[ -d $stage/$d ]] && compgen -G "$stage/$d/*.so*" >/dev/null && libdirs+=("$d")
done

# 6. Wrappers (relocatable: they find the prefix from their own path).
mkdir -p "$stage/bin"
# shellcheck disable=SC2016 # $P is expanded by the wrapper
libpath=$(printf '$P/%s:' "${libdirs[@]}")
libpath=${libpath%:}
for b in "${BINS[@]}"; do
  [[ -x $stage/$bindir/$b ]] || die "$bindir/$b missing from $ROOT"
  cat >"$stage/bin/$b" <<EOF
#!/bin/sh
# Generated by .ci/install-from-sid.sh: $b from Debian $SUITE $ROOT $root_ver,
# run through the prefix's own glibc loader and libraries (the host's glibc is too old).
P=\$(readlink -f -- "\$0") && P=\${P%/bin/*}
exec "\$P/$loader" --inhibit-cache --library-path "$libpath" "\$P/$bindir/$b" "\$@"
EOF
  chmod 755 "$stage/bin/$b"
done

# 7. Verify: every shared library resolves inside the prefix, and the binaries run.
for b in "${BINS[@]}"; do
  list=$("$stage/$loader" --inhibit-cache --library-path "${libpath//\$P/$stage}" --list "$stage/$bindir/$b" 2>&1) ||
    die "$b: the loader cannot load it:"$'\n'"$list"
  bad=$(grep -v -e 'linux-vdso' -e "=> $stage/" -e "^[[:space:]]*$stage/" <<<"$list" || true)
  [[ -z $bad ]] || die "$b: libraries not resolved inside the prefix:"$'\n'"$bad"
  wanted_version "$stage" "$b" ||
    die "$b --version does not report the wanted version: $("$stage/bin/$b" --version 2>&1 || true)"
done

# 8. Move into place (replacing any older/broken install).
if [[ -e $PREFIX || -L $PREFIX ]]; then
  old=$(mktemp -d "$PREFIX.old.XXXXXX")
  mv -- "$PREFIX" "$old/" && rm -rf -- "$old"
fi
mv -- "$stage" "$PREFIX"
chmod 755 "$PREFIX"
already_installed "$PREFIX" || die "installed into $PREFIX but $PREFIX/bin/${BINS[0]} does not run"

skipped=$(sed -n 's/^#skipped: //p' "$work/manifest")
notes=$(sed -n 's/^#notes: //p' "$work/manifest")
note "$SUITE InRelease $sigmsg; $npk packages ($((bytes / 1024)) KiB), SHA256 OK"
[[ -z $skipped ]] || note "skipped: $skipped"
[[ -z $notes ]] || note "notes: $notes"
finish_ok "$PREFIX" "$(version_of "$PREFIX") installed in $PREFIX"

#!/bin/sh
# Produces real OVMF variable stores before and after boots under QEMU, for FirmwareDiffSizes.
# Each boot has no disk: the firmware runs BDS, tries its default boot options (the default NIC's
# PXE/HTTP entries, the EFI shell), writes its boot variables (Boot####, BootOrder, Timeout, ConIn/
# ConOut/ErrOut, MTC, ...) and is stopped after SECONDS (default 40; TCG without /dev/kvm is slow).
# The console of every boot is kept next to the stores (*.log) so a short boot can be seen.
#
# Usage: bench/scripts/ovmf-var-pairs.sh OUT_DIR [SECONDS]
# Writes, in OUT_DIR:
#   4m-r0.fd  OVMF_VARS_4M.fd as shipped         4m-r1.fd  after a first boot
#   4m-r2.fd  after a second boot of 4m-r1.fd with the boot order changed (-boot order=n, menu on)
#   2m-r0.fd  OVMF_VARS.fd (2 MiB firmware)      2m-r1.fd  after a first boot
#   ms-r0.fd  OVMF_VARS_4M.ms.fd (Secure Boot keys enrolled)  ms-r1.fd  after a first boot (SMM)
set -eu
out=${1:?usage: $0 OUT_DIR [SECONDS]}
seconds=${2:-40}
ovmf=${OVMF_DIR:-/usr/share/OVMF}
mkdir -p "$out"
umask 077

boot() { # code vars log extra-args...
  code=$1 vars=$2 log=$3
  shift 3
  cp "$vars" "$vars.before"
  # -nographic puts the firmware's serial console on stdout; stdin is closed so nothing is typed.
  timeout --signal=TERM "$seconds" qemu-system-x86_64 "$@" \
    -drive if=pflash,format=raw,readonly=on,file="$code" \
    -drive if=pflash,format=raw,file="$vars" \
    -m 256 -nographic -display none </dev/null >"$log" 2>&1 || true
  # The 2 MiB build prints nothing on the serial console; the store's changed bytes are the evidence.
  changed=$(cmp -l "$vars.before" "$vars" | wc -l)
  rm -f "$vars.before"
  if [ "$changed" -gt 0 ]; then
    echo "$vars: the firmware changed $changed bytes of its variable store"
  else
    echo "$vars: WARNING the firmware wrote nothing in ${seconds}s; raise SECONDS" >&2
  fi
}

cp "$ovmf/OVMF_VARS_4M.fd" "$out/4m-r0.fd"
cp "$out/4m-r0.fd" "$out/4m-r1.fd"
boot "$ovmf/OVMF_CODE_4M.fd" "$out/4m-r1.fd" "$out/4m-r1.log" -machine q35
cp "$out/4m-r1.fd" "$out/4m-r2.fd"
boot "$ovmf/OVMF_CODE_4M.fd" "$out/4m-r2.fd" "$out/4m-r2.log" -machine q35 -boot order=n,menu=on

cp "$ovmf/OVMF_VARS.fd" "$out/2m-r0.fd"
cp "$out/2m-r0.fd" "$out/2m-r1.fd"
boot "$ovmf/OVMF_CODE.fd" "$out/2m-r1.fd" "$out/2m-r1.log" -machine q35

cp "$ovmf/OVMF_VARS_4M.ms.fd" "$out/ms-r0.fd"
cp "$out/ms-r0.fd" "$out/ms-r1.fd"
boot "$ovmf/OVMF_CODE_4M.secboot.fd" "$out/ms-r1.fd" "$out/ms-r1.log" -machine q35,smm=on \
  -global driver=cfi.pflash01,property=secure,value=on

for f in 4m-r0 4m-r1 4m-r2 2m-r0 2m-r1 ms-r0 ms-r1; do
  printf '%s  %s\n' "$(sha256sum <"$out/$f.fd" | cut -c1-16)" "$out/$f.fd"
done

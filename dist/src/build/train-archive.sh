#!/bin/sh
# Packaging step: makes lib/classpath (the launcher's class path order) and lib/duplex.jsa, the
# class-data-sharing archive of what the common commands load, from a training run on the staged
# lib/ folder. Java 17 has no -XX:+AutoCreateSharedArchive, so the archive is made here with
# -XX:ArchiveClassesAtExit. The launcher works without it: any failure here only leaves it out.
# Usage: train-archive.sh STAGED_LIB_DIR WORK_DIR
set -u
lib=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && chmod 700 "$work"
rm -f "$lib/duplex.jsa"
(cd "$lib" && ls -1 -- *.jar | LC_ALL=C sort) > "$lib/classpath"
cp=
while IFS= read -r jar; do
  cp="$cp$lib/$jar:"
done < "$lib/classpath"
cp="$cp$lib/*"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# the same options as bin/duplex uses for commands, so that the archive matches them
if "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -XX:ArchiveClassesAtExit="$lib/duplex.jsa" \
    -Dduplex.internal.log.dir="$work/logs" -cp "$cp" dev.duplex.cli.ArchiveTraining "$work/home" > "$work/training.log" 2>&1; then
  echo "class-data-sharing archive: $(du -k "$lib/duplex.jsa" | cut -f1) KiB from $(grep -c trained "$work/training.log") commands"
else
  echo "class-data-sharing archive not made (see $work/training.log); the launcher runs without it" >&2
  rm -f "$lib/duplex.jsa"
fi
exit 0

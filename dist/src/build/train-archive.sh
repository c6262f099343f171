#!/bin/sh
# Packaging step: writes lib/classpath (the launcher's class path, in order) and
# lib/duplex.classlist, the classes the common commands load, from a training run on the staged
# lib/ folder (-XX:DumpLoadedClassList). Java 17 ties a class-data-sharing archive to the absolute
# paths of the jars it was made from (a relocated class path is refused until Java 19), so the
# archive itself cannot be made here: bin/duplex makes it from this list where the tarball was
# unpacked, once, in the background. Any failure here only leaves the list out.
# Usage: train-archive.sh STAGED_LIB_DIR WORK_DIR
set -u
lib=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && chmod 700 "$work"
rm -f "$lib/duplex.classlist" "$lib"/*.jsa
(cd "$lib" && ls -1 -- *.jar | LC_ALL=C sort) > "$lib/classpath"
cp=
while IFS= read -r jar; do
  cp="$cp${cp:+:}$lib/$jar"
done < "$lib/classpath"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# The builder's own DUPLEX_* variables must not shape the training: Duplex refuses one it does not
# know (CI exports DUPLEX_OPENSTACK_* for its tests), and every database command then exited 1,
# so the shipped list lacked the database path.
unset_duplex=$(env | sed -n 's/^\(DUPLEX_[A-Za-z0-9_]*\)=.*/-u \1/p')
# shellcheck disable=SC2086
if env $unset_duplex "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -XX:DumpLoadedClassList="$work/duplex.classlist" \
    -Dduplex.internal.log.dir="$work/logs" -cp "$cp" dev.duplex.cli.ArchiveTraining "$work/home" > "$work/training.log" 2>&1 \
    && "$java" -Xshare:dump -XX:SharedClassListFile="$work/duplex.classlist" -XX:SharedArchiveFile="$work/check.jsa" \
       -XX:+UseSerialGC -cp "$cp" > "$work/dump-check.log" 2>&1; then
  cp "$work/duplex.classlist" "$lib/duplex.classlist"
  echo "class list for the class-data-sharing archive: $(wc -l < "$lib/duplex.classlist") classes from $(grep -c trained "$work/training.log") commands (archive check: $(du -k "$work/check.jsa" | cut -f1) KiB)"
else
  echo "class list not made (see $work/training.log, $work/dump-check.log); the launcher runs without an archive" >&2
fi
exit 0

package dev.duplex.engine.failover;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.StopMode;
import dev.duplex.api.UnreachableException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * A driver of VMs in memory, each with a power state and an in-memory environment store. Logs
 * every stop, start and environment write in order; VMs put in {@link #unreachable} fail every
 * call as an unreachable host would; VMs put in {@link #ignoresStop} stay RUNNING after a stop.
 */
final class FakeDriver implements HypervisorDriver {
    private final Map<String, VmState> states = new LinkedHashMap<>();
    private final Map<String, InMemoryEnvironmentStore> stores = new LinkedHashMap<>();
    /** VMs whose store refuses any info as unusable (as a UEFI store refuses another firmware's settings), and why. */
    private final Map<String, String> unusableInfo = new LinkedHashMap<>();
    private final List<String> events = new ArrayList<>();
    final Set<String> unreachable = new HashSet<>();
    final Set<String> ignoresStop = new HashSet<>();

    synchronized void addVm(String id, VmState state, EnvironmentSnapshot environment) {
        states.put(id, state);
        stores.put(id, new InMemoryEnvironmentStore(environment));
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized EnvironmentSnapshot environmentOf(String id) {
        return stores.get(id).read();
    }

    private void reach(VmRef vm) {
        if (unreachable.contains(vm.id())) {
            throw new UnreachableException("host of " + vm + " does not answer", ObjectId.of(vm));
        }
        if (!states.containsKey(vm.id())) {
            throw new ObjectNotFoundException(ObjectId.of(vm));
        }
    }

    @Override
    public String kind() {
        return "fake";
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(Capability.ENVIRONMENT_STORE);
    }

    @Override
    public synchronized BootReport start(VmRef vm) {
        reach(vm);
        events.add("start " + vm.id());
        states.put(vm.id(), VmState.RUNNING);
        return new BootReport(vm, 0, Duration.ZERO);
    }

    @Override
    public synchronized void stop(VmRef vm, StopMode mode) {
        reach(vm);
        events.add("stop " + vm.id() + " " + mode);
        if (!ignoresStop.contains(vm.id())) {
            states.put(vm.id(), VmState.STOPPED);
        }
    }

    /** From now on the store of {@code vmId} refuses every info it is given to check, saying {@code why}. */
    synchronized void refuseInfoAsUnusable(String vmId, String why) {
        unusableInfo.put(vmId, why);
    }

    @Override
    public synchronized VmState state(VmRef vm) {
        reach(vm);
        return states.get(vm.id());
    }

    @Override
    public synchronized EnvironmentStore environment(VmRef vm) {
        reach(vm);
        InMemoryEnvironmentStore store = stores.get(vm.id());
        return new EnvironmentStore() {
            @Override
            public EnvironmentSnapshot read() {
                return store.read();
            }

            @Override
            public void write(EnvironmentUpdate update) {
                synchronized (FakeDriver.this) {
                    events.add("env-write " + vm.id() + " " + update.expectedRevision() + "->" + update.newRevision());
                }
                store.write(update);
            }

            @Override
            public void check(EnvironmentSnapshot target) {
                String why;
                synchronized (FakeDriver.this) {
                    why = unusableInfo.get(vm.id());
                }
                if (why != null) {
                    throw new dev.duplex.api.InvalidSpecException(why,
                            new dev.duplex.api.ObjectId(dev.duplex.api.ObjectKind.ENVIRONMENT_ITEM, "settings"));
                }
            }
        };
    }

    @Override
    public ImageRef registerImage(ImageSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ImageInfo> listImages() {
        return List.of();
    }

    @Override
    public void deleteImage(ImageRef image) {
        throw new UnsupportedOperationException();
    }

    @Override
    public VolumeRef createVolume(VolumeSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        return List.of();
    }

    @Override
    public void deleteVolume(VolumeRef volume) {
        throw new UnsupportedOperationException();
    }

    @Override
    public VmRef createVm(VmSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<VmInfo> listVms() {
        return List.of();
    }

    @Override
    public VmInfo describeVm(VmRef vm) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void deleteVm(VmRef vm) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

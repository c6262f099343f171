package dev.duplex.engine.upgrade;

import dev.duplex.api.Capability;
import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairInventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.Placement;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.role.RoleControllerSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The checks an upgrade passes before anything is stopped: the pair, its VMs, the new images and
 * the volumes are known and consistent, the endpoints can do the strategy, and the role
 * controller answers sensibly. Only reads; every refusal is an {@link UpgradeRefusedException}
 * saying what to fix.
 */
final class Preflight {
    private final Inventory inventory;
    private final Drivers drivers;
    private final RoleControllerSource roleControllers;
    private final Placement placement;
    /** Read once per check (one preflight checks one request): both members usually name the same images and endpoint. */
    private final Map<String, Optional<ImageRecord>> images = new java.util.HashMap<>();
    private final Map<String, Optional<Endpoint>> endpoints = new java.util.HashMap<>();
    private final Map<String, VolumeRecord> volumes = new java.util.HashMap<>();
    /** The VMs linking each of the members' volumes, read with the volumes. */
    private final Map<String, List<String>> linkers = new java.util.HashMap<>();

    Preflight(Inventory inventory, Drivers drivers, RoleControllerSource roleControllers) {
        this.inventory = inventory;
        this.placement = new Placement(inventory);
        this.drivers = drivers;
        this.roleControllers = roleControllers;
    }

    /**
     * What passed: the members as they are now, and the new images; the records the checks read ({@code vms} in member
     * order, the images old and new, the linked volumes by name), which the job's run starts from instead of reading
     * them again.
     */
    record Checked(PairRecord pair, List<MemberBefore> before, List<ImageRecord> targets, RoleController roleController,
            List<VmRecord> vms, Map<String, ImageRecord> images, Map<String, VolumeRecord> volumes) {}

    Checked pair(UpgradeRequest request) {
        return pair(request, inventory.pairInventory(request.pair(), targetImages(request)));
    }

    /** The images {@code request} names, the ones to read with its pair. */
    static List<String> targetImages(UpgradeRequest request) {
        return List.of(request.image(0), request.image(1));
    }

    /**
     * The checks of {@link #pair(UpgradeRequest)} on the pair and its records as the caller has just read them, with
     * {@link #targetImages(UpgradeRequest)} among its images.
     */
    Checked pair(UpgradeRequest request, Optional<PairInventory> read) {
        PairRecord pair = read.map(PairInventory::pair).orElseThrow(() -> new UpgradeRefusedException("Unknown pair '" + request.pair()
                + "'. Known pairs: " + inventory.pairs().stream().map(PairRecord::name).sorted().toList()));
        RoleController roleController;
        try {
            roleController = roleControllers.forPair(pair);
        } catch (IllegalArgumentException e) {
            throw new UpgradeRefusedException("Pair '" + pair.name() + "' has unusable role controller settings: "
                    + e.getMessage().replaceFirst("^Pair '[^']*': ", "")
                    + ". Fix them with the pair's role-controller settings; nothing was touched.", e);
        }
        List<MemberBefore> before = new ArrayList<>();
        List<ImageRecord> targets = new ArrayList<>();
        List<VmRecord> vms = new ArrayList<>();
        Map<String, VmRecord> members = read.get().vms();
        takeRead(read.get(), targetImages(request));
        for (int system = 0; system < 2; system++) {
            Member checked = member(Optional.ofNullable(members.get(pair.member(system))), pair.member(system), system, request.image(system),
                    request.strategy(), pair.name());
            before.add(checked.before());
            targets.add(checked.target());
            vms.add(checked.vm());
        }
        checkVolumesNotShared(before, pair.name());
        checkRoles(pair, before, vms, roleController);
        return new Checked(pair, before, targets, roleController, List.copyOf(vms), readImages(), Map.copyOf(volumes));
    }

    /** The same checks for a single VM (no pair, no role controller needed for roles). */
    Checked vm(String vmName, String imageName, UpgradeStrategy strategy) {
        Optional<VmRecord> read = inventory.vm(vmName);
        if (read.isEmpty()) {
            throw new UpgradeRefusedException("Unknown VM '" + vmName + "'. Known VMs: "
                    + inventory.vms().stream().map(VmRecord::name).sorted().toList());
        }
        Optional<PairRecord> pair = placement.pairOf(vmName);
        if (pair.isPresent()) {
            // Stopping one member alone is the outage a pair exists to avoid, and its health check
            // would never ask the pair's role controller: the pair's upgrade keeps one member serving.
            throw new UpgradeRefusedException("VM '" + vmName + "' is a member of pair '" + pair.get().name() + "' (its "
                    + (pair.get().active().equals(vmName) ? "active" : "standby") + "); `duplex upgrade vm` is for a VM in no pair."
                    + " Upgrade the pair with `duplex upgrade run " + pair.get().name() + "`; nothing was touched.");
        }
        readAhead(List.of(read.get()), List.of(imageName));
        Member checked = member(read, vmName, 0, imageName, strategy, vmName);
        return new Checked(null, List.of(checked.before()), List.of(checked.target()), null, List.of(checked.vm()), readImages(),
                Map.copyOf(volumes));
    }

    /**
     * Refuses a job whose members changed between the checks and the job lock: another job that
     * held them meanwhile (now ended) moved them to other VMs or images, so {@code before} is stale. Returns the members'
     * records as read under the job's locks, which no one else writes while it holds them.
     */
    List<VmRecord> stillAsChecked(List<MemberBefore> before, long jobId) {
        List<VmRecord> locked = new ArrayList<>();
        Map<String, VmRecord> read = inventory.vms(before.stream().map(MemberBefore::member).toList());
        for (MemberBefore member : before) {
            Optional<VmRecord> now = Optional.ofNullable(read.get(member.member()));
            if (now.isEmpty() || !now.get().driverRef().equals(member.vmRef()) || !now.get().image().equals(member.image())) {
                throw new UpgradeRefusedException("VM '" + member.member() + "' changed while job #" + jobId + " was being created (it was "
                        + member.image() + " as " + member.vmRef() + ", it is now " + now.map(v -> v.image() + " as " + v.driverRef())
                        .orElse("gone") + "): another job ran meanwhile. Check `duplex upgrade status " + member.member()
                        + "` and try again; nothing was touched.");
            }
            locked.add(now.get());
        }
        return locked;
    }

    private record Member(MemberBefore before, ImageRecord target, VmRecord vm) {}

    private Member member(Optional<VmRecord> read, String vmName, int system, String imageName, UpgradeStrategy strategy, String subject) {
        VmRecord vm = read.orElseThrow(() -> new UpgradeRefusedException("Pair '" + subject + "' names VM '" + vmName
                + "', which is not in the inventory"));
        Endpoint endpoint = endpoints.computeIfAbsent(vm.endpoint(), inventory::endpoint).orElseThrow(() -> new UpgradeRefusedException("VM '" + vmName
                + "' runs on endpoint '" + vm.endpoint() + "', which is not in the inventory"));
        ImageRecord target = image(imageName).orElseThrow(() -> new UpgradeRefusedException("Unknown image '" + imageName
                + "'. Register the new image on endpoint " + endpoint.name() + " first (it must hold no database)."));
        if (!Placement.usable(target, vm.endpoint())) {
            throw new UpgradeRefusedException("Image '" + imageName + "' is registered on endpoint '" + target.endpoint() + "', but "
                    + vmName + " runs on endpoint '" + vm.endpoint() + "'. Register the image on " + vm.endpoint()
                    + " and name that one for system " + system + (system == 1 ? " (--image1)" : " (--image)") + "; nothing was touched.");
        }
        HypervisorDriver driver;
        try {
            driver = drivers.driver(endpoint.name());
        } catch (RuntimeException e) {
            throw new UpgradeRefusedException("Cannot connect to endpoint '" + endpoint.name() + "': " + e.getMessage(), e);
        }
        Set<Capability> missing = new TreeSet<>(strategy.requires());
        missing.removeAll(driver.capabilities().features());
        if (!missing.isEmpty()) {
            throw new UpgradeRefusedException("Endpoint '" + endpoint.name() + "' (driver " + driver.kind() + ") cannot do the "
                    + strategy.key() + " strategy: it lacks " + missing + " (it supports " + driver.capabilities().describe()
                    + "). Choose another strategy; nothing was touched.");
        }
        try {
            if (driver.listImages().stream().noneMatch(i -> i.image().id().equals(target.driverRef()))) {
                throw new UpgradeRefusedException("Image '" + imageName + "' (" + target.driverRef() + ") is in the inventory but not on endpoint '"
                        + endpoint.name() + "'. Register it again.");
            }
            VmInfo info = UpgradeRun.describe(driver, new VmRef(vm.driverRef(), vm.name())).orElseThrow(() -> new UpgradeRefusedException(
                    "VM '" + vmName + "' (" + vm.driverRef() + ") is in the inventory but not on endpoint '" + endpoint.name() + "'"));
            if (info.state() != VmState.RUNNING) {
                throw new UpgradeRefusedException("VM '" + vmName + "' is " + info.state() + "; the rolling upgrade starts from a running "
                        + "member (start it, then try again).");
            }
            for (LinkRecord link : vm.links()) {
                checkVolume(driver, vm, link);
            }
            ImageRecord old = image(vm.image()).orElseThrow(() -> new UpgradeRefusedException("VM '" + vmName
                    + "' runs image '" + vm.image() + "', which is not in the inventory; it would be needed to roll back"));
            MemberBefore before = new MemberBefore(vmName, system, vm.endpoint(), vm.driverRef(), info.vm().name(), old.name(),
                    info.image().id(), vm.links());
            return new Member(before, target, vm);
        } catch (DriverException e) {
            throw new UpgradeRefusedException("Endpoint '" + endpoint.name() + "' failed while checking " + vmName + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads what the checks of {@code vms} will ask for, each kind in one look: the images (new and current), the linked
     * volumes and who links them. The checks then take them from here in their own order, so a missing one is refused
     * as before; at fleet scale these were six round trips a pair instead of three.
     */
    private void readAhead(java.util.Collection<VmRecord> vms, List<String> targetImages) {
        Set<String> imageNames = new java.util.HashSet<>(targetImages);
        Set<String> volumeNames = new java.util.HashSet<>();
        for (VmRecord vm : vms) {
            imageNames.add(vm.image());
            vm.links().forEach(link -> volumeNames.add(link.volume()));
        }
        Map<String, ImageRecord> foundImages = inventory.images(imageNames);
        imageNames.forEach(name -> images.put(name, Optional.ofNullable(foundImages.get(name))));
        if (!volumeNames.isEmpty()) {
            volumes.putAll(inventory.volumes(volumeNames));
            linkers.putAll(inventory.vmsLinking(volumeNames));
        }
    }

    /** What {@link #readAhead} would have read, taken from the pair's records as read with it. */
    private void takeRead(PairInventory read, List<String> targetImages) {
        Set<String> imageNames = new java.util.HashSet<>(targetImages);
        for (VmRecord vm : read.vms().values()) {
            imageNames.add(vm.image());
            endpoints.put(vm.endpoint(), Optional.ofNullable(read.endpoints().get(vm.endpoint())));
        }
        imageNames.forEach(name -> images.put(name, Optional.ofNullable(read.images().get(name))));
        volumes.putAll(read.volumes());
        linkers.putAll(read.linkers());
    }

    private Optional<ImageRecord> image(String name) {
        return images.computeIfAbsent(name, inventory::image);
    }

    private Map<String, ImageRecord> readImages() {
        Map<String, ImageRecord> found = new java.util.HashMap<>();
        images.forEach((name, image) -> image.ifPresent(record -> found.put(name, record)));
        return Map.copyOf(found);
    }

    private void checkVolume(HypervisorDriver driver, VmRecord vm, LinkRecord link) {
        // read ahead with the member: absent here is absent from the inventory
        VolumeRecord volume = Optional.ofNullable(volumes.get(link.volume())).orElseThrow(() -> new UpgradeRefusedException("VM '"
                + vm.name() + "' links volume '" + link.volume() + "', which is not in the inventory"));
        if (!Placement.usable(volume, vm.endpoint())) {
            throw new UpgradeRefusedException("Volume '" + volume.name() + "' of " + vm.name() + " lives on endpoint '" + volume.endpoint()
                    + "', not on " + vm.endpoint());
        }
        List<String> othersInInventory = linkers.get(volume.name()).stream().filter(other -> !other.equals(vm.name())).toList();
        if (!othersInInventory.isEmpty()) {
            throw new UpgradeRefusedException("Volume '" + volume.name() + "' of " + vm.name() + " is linked elsewhere too: by "
                    + othersInInventory + ". A database volume must belong to one member; fix the inventory first.");
        }
        List<String> othersOnPlatform = driver.vmsLinking(new VolumeRef(volume.driverRef(), volume.name())).stream()
                .filter(other -> !other.vm().id().equals(vm.driverRef()))
                .map(other -> other.vm().toString()).toList();
        if (!othersOnPlatform.isEmpty()) {
            throw new UpgradeRefusedException("Volume '" + volume.name() + "' of " + vm.name() + " is linked elsewhere on endpoint '"
                    + vm.endpoint() + "' too: by " + othersOnPlatform + " (a leftover of an earlier job?). Remove that VM first.");
        }
    }

    private static void checkVolumesNotShared(List<MemberBefore> members, String pair) {
        Set<String> first = members.get(0).links().stream().map(LinkRecord::volume).collect(Collectors.toSet());
        for (LinkRecord link : members.get(1).links()) {
            if (first.contains(link.volume())) {
                throw new UpgradeRefusedException("Both members of pair '" + pair + "' link volume '" + link.volume()
                        + "'; each member needs its own database volume.");
            }
        }
    }

    private void checkRoles(PairRecord pair, List<MemberBefore> members, List<VmRecord> vms, RoleController roleController) {
        List<PairContext.Member> contextMembers = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            MemberBefore m = members.get(i);
            VmRecord vm = vms.get(i);
            contextMembers.add(new PairContext.Member(m.member(), m.system(), vm.endpoint(), vm.driverRef(), vm.properties()));
        }
        PairContext context = new PairContext(pair.name(), contextMembers, pair.roleController());
        Map<String, Role> roles;
        try {
            roles = roleController.roles(context);
        } catch (RoleControllerException e) {
            throw new UpgradeRefusedException("Pair '" + pair.name() + "': " + e.getMessage() + ". Nothing was touched.", e);
        } catch (RuntimeException e) {
            throw new UpgradeRefusedException("Pair '" + pair.name() + "': the " + roleController.describe()
                    + " role controller failed to report roles: " + e + ". Nothing was touched.", e);
        }
        Optional<String> unknown = members.stream().map(MemberBefore::member).filter(m -> roles.get(m) == null).findFirst();
        if (unknown.isPresent() || roles.size() != 2) {
            throw new UpgradeRefusedException("Pair '" + pair.name() + "': the " + roleController.describe() + " role controller reported "
                    + roles + "; it must report exactly one role for each of " + members.stream().map(MemberBefore::member).toList()
                    + ". Nothing was touched.");
        }
        if (roles.get(pair.active()) != Role.ACT || roles.get(pair.standby()) != Role.SBY) {
            throw new UpgradeRefusedException("Pair '" + pair.name() + "': the members report " + roles + " but the inventory records "
                    + pair.active() + " as ACT and " + pair.standby() + " as SBY. Bring them in line (a failover that was not recorded?)"
                    + " before upgrading; nothing was touched.");
        }
    }
}

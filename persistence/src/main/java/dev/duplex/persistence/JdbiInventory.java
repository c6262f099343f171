package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.VolumeLink;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairInventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The inventory in PostgreSQL. The database enforces the rules (names unique, a volume linked by
 * one VM, a VM in one pair, an endpoint not removed while used); {@link SqlErrors} turns its
 * refusals into {@code InventoryConflictException} and {@code NotInInventoryException}. A VM and
 * its links are written in one transaction and read from one snapshot.
 */
public final class JdbiInventory implements Inventory {
    private static final String PAIR_SELECT = """
            SELECT p.name, p.active_system, p.standby_kind, p.role_controller::text AS role_controller,
                   p.resync_gate::text AS resync_gate, m0.vm AS system0, m1.vm AS system1
            FROM pairs p
            JOIN pair_members m0 ON m0.pair = p.name AND m0.system = 0
            JOIN pair_members m1 ON m1.pair = p.name AND m1.system = 1
            """;

    private static final String ENDPOINT_SELECT = "SELECT name, driver_kind, uri, credential_file, properties::text AS properties FROM endpoints";
    private static final String IMAGE_SELECT = "SELECT name, endpoint, software_version, driver_ref FROM images";
    private static final String VOLUME_SELECT = "SELECT name, endpoint, driver_ref, size_bytes, purpose FROM volumes";
    /** A VM's row once per link (once with no link), in link order when ordered by {@code v.name, l.position}. */
    private static final String VM_LINK_SELECT = """
            SELECT v.name, v.endpoint, v.driver_ref, v.image, v.properties::text AS properties,
                   l.volume, l.mount_path, l.mode
            FROM vms v LEFT JOIN vm_links l ON l.vm = v.name """;
    /**
     * The pair's two members as an array, each looked up by its key: the planner knows it is two names whatever it
     * estimates of the tables (joining on {@code pair_members} instead let it hash-join over a whole unanalysed table).
     */
    private static final String MEMBERS = "ARRAY[(SELECT vm FROM pair_members WHERE pair = :pair AND system = 0),"
            + " (SELECT vm FROM pair_members WHERE pair = :pair AND system = 1)]";
    /**
     * {@link #pairInventory}'s six reads, sent together: pgjdbc sends a multi-statement query in one round trip and hands
     * back a result per statement. Each looks its rows up by key from arrays of names, so it reads a few rows whatever
     * the inventory's size.
     */
    private static final String PAIR_INVENTORY = String.join(";\n",
            PAIR_SELECT + " WHERE p.name = :pair",
            VM_LINK_SELECT + " WHERE v.name = ANY(" + MEMBERS + ") ORDER BY v.name, l.position",
            ENDPOINT_SELECT + " WHERE name = ANY(ARRAY(SELECT endpoint FROM vms WHERE name = ANY(" + MEMBERS + ")))",
            IMAGE_SELECT + " WHERE name = ANY(CAST(:images AS text[]) || ARRAY(SELECT image FROM vms WHERE name = ANY(" + MEMBERS + ")))",
            VOLUME_SELECT + " WHERE name = ANY(ARRAY(SELECT volume FROM vm_links WHERE vm = ANY(" + MEMBERS + ")))",
            "SELECT volume, vm FROM vm_links WHERE volume = ANY(ARRAY(SELECT volume FROM vm_links WHERE vm = ANY(" + MEMBERS + ")))"
                    + " ORDER BY volume, vm");

    private final Jdbi jdbi;
    private final SqlErrors errors;
    private final JsonMaps json = new JsonMaps();

    @Inject
    public JdbiInventory(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public void addEndpoint(Endpoint endpoint) {
        requireNonNull(endpoint, "endpoint is null");
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO endpoints (name, driver_kind, uri, credential_file, properties)
                        VALUES (:name, :kind, :uri, :credentialFile, CAST(:properties AS jsonb))""")
                .bind("name", endpoint.name())
                .bind("kind", endpoint.driverKind())
                .bind("uri", endpoint.uri())
                .bind("credentialFile", endpoint.credentialFile().orElse(null))
                .bind("properties", json.write(endpoint.properties()))
                .execute()));
    }

    @Override
    public Optional<Endpoint> endpoint(String name) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(ENDPOINT_SELECT + " WHERE name = :name")
                .bind("name", name).map((rs, ctx) -> endpoint(rs)).findOne()));
    }

    @Override
    public List<Endpoint> endpoints() {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(ENDPOINT_SELECT + " ORDER BY name")
                .map((rs, ctx) -> endpoint(rs)).list()));
    }

    @Override
    public void removeEndpoint(String name) {
        deleteOne("DELETE FROM endpoints WHERE name = :name", name, "endpoint");
    }

    @Override
    public void addImage(ImageRecord image) {
        requireNonNull(image, "image is null");
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO images (name, endpoint, software_version, driver_ref)
                        VALUES (:name, :endpoint, :softwareVersion, :driverRef)""")
                .bindMethods(image).execute()));
    }

    @Override
    public Optional<ImageRecord> image(String name) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(IMAGE_SELECT + " WHERE name = :name")
                .bind("name", name).map((rs, ctx) -> image(rs)).findOne()));
    }

    @Override
    public Map<String, ImageRecord> images(java.util.Collection<String> names) {
        return byName(IMAGE_SELECT + " WHERE name = ANY(:names)", names,
                (rs, ctx) -> image(rs), ImageRecord::name);
    }

    /** The rows {@code select} finds for {@code names} (bound as {@code :names}), by name: one statement for any number. */
    private <T> Map<String, T> byName(String select, java.util.Collection<String> names, org.jdbi.v3.core.mapper.RowMapper<T> row,
            java.util.function.Function<T, String> name) {
        requireNonNull(names, "names is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(select).bindArray("names", String.class, names)
                .map(row).collect(java.util.stream.Collectors.toMap(name, value -> value))));
    }

    @Override
    public List<ImageRecord> images() {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(IMAGE_SELECT + " ORDER BY name")
                .map((rs, ctx) -> image(rs)).list()));
    }

    @Override
    public void removeImage(String name) {
        deleteOne("DELETE FROM images WHERE name = :name", name, "image");
    }

    @Override
    public void addVolume(VolumeRecord volume) {
        requireNonNull(volume, "volume is null");
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO volumes (name, endpoint, driver_ref, size_bytes, purpose)
                        VALUES (:name, :endpoint, :driverRef, :sizeBytes, :purpose)""")
                .bindMethods(volume).execute()));
    }

    @Override
    public Optional<VolumeRecord> volume(String name) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(VOLUME_SELECT + " WHERE name = :name")
                .bind("name", name).map((rs, ctx) -> volume(rs)).findOne()));
    }

    @Override
    public Map<String, VolumeRecord> volumes(java.util.Collection<String> names) {
        return byName(VOLUME_SELECT + " WHERE name = ANY(:names)", names,
                (rs, ctx) -> volume(rs), VolumeRecord::name);
    }

    @Override
    public List<VolumeRecord> volumes() {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(VOLUME_SELECT + " ORDER BY name")
                .map((rs, ctx) -> volume(rs)).list()));
    }

    @Override
    public Optional<Instant> volumeFirstLinked(String name) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT first_linked_at FROM volumes WHERE name = :name")
                        .bind("name", name).map((rs, ctx) -> JdbiJobQueue.instant(rs, "first_linked_at")).findOne()))
                .orElseThrow(() -> new NotInInventoryException("volume", name));
    }

    @Override
    public void removeVolume(String name) {
        deleteOne("DELETE FROM volumes WHERE name = :name", name, "volume");
    }

    @Override
    public void addVm(VmRecord vm) {
        requireNonNull(vm, "vm is null");
        errors.run(() -> jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO vms (name, endpoint, driver_ref, image, properties)
                            VALUES (:name, :endpoint, :driverRef, :image, CAST(:properties AS jsonb))""")
                    .bind("name", vm.name()).bind("endpoint", vm.endpoint()).bind("driverRef", vm.driverRef())
                    .bind("image", vm.image()).bind("properties", json.write(vm.properties()))
                    .execute();
            insertLinks(h, vm);
        }));
    }

    @Override
    public Optional<VmRecord> vm(String name) {
        return Optional.ofNullable(vms(List.of(name)).get(name));
    }

    @Override
    public Map<String, VmRecord> vms(java.util.Collection<String> names) {
        requireNonNull(names, "names is null");
        // One statement, so one snapshot and one round trip: an upgrade step reads its members this
        // way many times, and a transaction around two queries cost four round trips at fleet scale.
        return errors.call(() -> jdbi.withHandle(h -> {
            List<VmRecord> rows = h.createQuery(VM_LINK_SELECT + " WHERE v.name = ANY(:names) ORDER BY v.name, l.position")
                    .bindArray("names", String.class, names)
                    .map((rs, ctx) -> vmLinkRow(rs))
                    .list();
            return vmsOfRows(rows);
        }));
    }

    /** One row of {@link #VM_LINK_SELECT}: the VM with the row's link, if it has one. */
    private VmRecord vmLinkRow(ResultSet rs) throws SQLException {
        VmRecord vm = vmWithoutLinks(rs);
        String volume = rs.getString("volume");
        return volume == null ? vm : new VmRecord(vm.name(), vm.endpoint(), vm.driverRef(), vm.image(),
                List.of(new LinkRecord(volume, rs.getString("mount_path"), VolumeLink.Mode.valueOf(rs.getString("mode")))),
                vm.properties());
    }

    /** The VMs of {@link #vmLinkRow} rows, each with its links in the rows' order. */
    private static Map<String, VmRecord> vmsOfRows(List<VmRecord> rows) {
        Map<String, VmRecord> found = new java.util.LinkedHashMap<>();
        for (VmRecord row : rows) { // a VM's rows are one per link, in order
            found.merge(row.name(), row, (first, next) -> new VmRecord(first.name(), first.endpoint(), first.driverRef(), first.image(),
                    java.util.stream.Stream.concat(first.links().stream(), next.links().stream()).toList(), first.properties()));
        }
        return found;
    }

    @Override
    public List<VmRecord> vms() {
        return errors.call(() -> jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            Map<String, List<LinkRecord>> links = linksByVm(h);
            return h.createQuery("SELECT name, endpoint, driver_ref, image, properties::text AS properties FROM vms ORDER BY name")
                    .map((rs, ctx) -> vmWithoutLinks(rs)).list().stream()
                    .map(vm -> new VmRecord(vm.name(), vm.endpoint(), vm.driverRef(), vm.image(), links.getOrDefault(vm.name(), List.of()),
                            vm.properties()))
                    .toList();
        }));
    }

    /**
     * Every VM's links in one query, in each VM's order: a query per VM made listing a fleet's
     * 20,000 VMs (its plan, the snapshot pruning) 20,000 round trips.
     */
    private static Map<String, List<LinkRecord>> linksByVm(Handle h) {
        Map<String, List<LinkRecord>> links = new java.util.HashMap<>();
        h.createQuery("SELECT vm, volume, mount_path, mode FROM vm_links ORDER BY vm, position")
                .map((rs, ctx) -> {
                    links.computeIfAbsent(rs.getString("vm"), vm -> new java.util.ArrayList<>()).add(new LinkRecord(rs.getString("volume"),
                            rs.getString("mount_path"), VolumeLink.Mode.valueOf(rs.getString("mode"))));
                    return 0;
                })
                .list();
        return links;
    }

    @Override
    public List<String> vmsLinking(String volume) {
        requireNonNull(volume, "volume is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT vm FROM vm_links WHERE volume = :volume ORDER BY vm")
                .bind("volume", volume).mapTo(String.class).list()));
    }

    @Override
    public Map<String, List<String>> vmsLinking(java.util.Collection<String> volumes) {
        requireNonNull(volumes, "volumes is null");
        List<Map.Entry<String, String>> links = errors.call(() -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT volume, vm FROM vm_links WHERE volume = ANY(:volumes) ORDER BY volume, vm")
                .bindArray("volumes", String.class, volumes).map((rs, ctx) -> Map.entry(rs.getString("volume"), rs.getString("vm"))).list()));
        Map<String, List<String>> found = new java.util.HashMap<>();
        for (String volume : volumes) {
            found.put(volume, new ArrayList<>());
        }
        links.forEach(link -> found.get(link.getKey()).add(link.getValue()));
        found.replaceAll((volume, vms) -> List.copyOf(vms));
        return found;
    }

    @Override
    public void updateVm(VmRecord vm) {
        requireNonNull(vm, "vm is null");
        errors.run(() -> jdbi.useTransaction(h -> {
            // the links as they were, so that an update that keeps them (most: a new image on the same volumes)
            // costs one statement, not three
            List<List<String>> linksBefore = h.createQuery("""
                            UPDATE vms SET endpoint = :endpoint, driver_ref = :driverRef, image = :image,
                                           properties = CAST(:properties AS jsonb), updated_at = now()
                            WHERE name = :name
                            RETURNING ARRAY(SELECT ARRAY[l.volume, l.mount_path, l.mode] FROM vm_links l
                                            WHERE l.vm = vms.name ORDER BY l.position) AS links""")
                    .bind("name", vm.name()).bind("endpoint", vm.endpoint()).bind("driverRef", vm.driverRef())
                    .bind("image", vm.image()).bind("properties", json.write(vm.properties()))
                    .map((rs, ctx) -> links(rs.getArray("links"))).findOne()
                    .orElseThrow(() -> new NotInInventoryException("VM", vm.name()));
            List<List<String>> linksAfter = vm.links().stream()
                    .map(link -> List.of(link.volume(), link.mountPath(), link.mode().name())).toList();
            if (!linksAfter.equals(linksBefore)) {
                h.createUpdate("DELETE FROM vm_links WHERE vm = :vm").bind("vm", vm.name()).execute();
                insertLinks(h, vm);
            }
        }));
    }

    @Override
    public void removeVm(String name) {
        deleteOne("DELETE FROM vms WHERE name = :name", name, "VM");
    }

    @Override
    public void addPair(PairRecord pair) {
        requireNonNull(pair, "pair is null");
        errors.run(() -> jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO pairs (name, active_system, standby_kind, role_controller, resync_gate)
                            VALUES (:name, :active, :standbyKind, CAST(:roleController AS jsonb), CAST(:resyncGate AS jsonb))""")
                    .bind("name", pair.name()).bind("active", (short) pair.activeSystem())
                    .bind("standbyKind", pair.standbyKind().name())
                    .bind("roleController", json.write(pair.roleController()))
                    .bind("resyncGate", json.write(pair.resyncGate()))
                    .execute();
            for (int system = 0; system <= 1; system++) {
                h.createUpdate("INSERT INTO pair_members (pair, system, vm) VALUES (:pair, :system, :vm)")
                        .bind("pair", pair.name()).bind("system", (short) system).bind("vm", pair.member(system))
                        .execute();
            }
        }));
    }

    @Override
    public Optional<PairRecord> pair(String name) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(PAIR_SELECT + " WHERE p.name = :name")
                .bind("name", name).map((rs, ctx) -> pair(rs)).findOne()));
    }

    @Override
    public Optional<PairInventory> pairInventory(String name, java.util.Collection<String> images) {
        requireNonNull(name, "name is null");
        requireNonNull(images, "images is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(PAIR_INVENTORY)
                .bind("pair", name).bindArray("images", String.class, images)
                .scanResultSet((first, ctx) -> pairInventory(first.get(), ctx))));
    }

    /** The six results of {@link #PAIR_INVENTORY}, the first already open. */
    private Optional<PairInventory> pairInventory(ResultSet first, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        PreparedStatement read = ctx.getStatement();
        Optional<PairRecord> pair = first.next() ? Optional.of(pair(first)) : Optional.empty();
        List<VmRecord> vmRows = new ArrayList<>();
        for (ResultSet rs = next(read); rs.next(); ) {
            vmRows.add(vmLinkRow(rs));
        }
        Map<String, Endpoint> endpoints = rowsByName(next(read), ctx, (rs, c) -> endpoint(rs), Endpoint::name);
        Map<String, ImageRecord> images = rowsByName(next(read), ctx, (rs, c) -> image(rs), ImageRecord::name);
        Map<String, VolumeRecord> volumes = rowsByName(next(read), ctx, (rs, c) -> volume(rs), VolumeRecord::name);
        Map<String, VmRecord> vms = vmsOfRows(vmRows);
        Map<String, List<String>> linkers = new java.util.HashMap<>();
        vms.values().forEach(vm -> vm.links().forEach(link -> linkers.put(link.volume(), new ArrayList<>())));
        for (ResultSet rs = next(read); rs.next(); ) {
            linkers.computeIfAbsent(rs.getString("volume"), volume -> new ArrayList<>()).add(rs.getString("vm"));
        }
        return pair.map(record -> new PairInventory(record, vms, endpoints, images, volumes, linkers));
    }

    /** The rows of {@code rs}, read by {@code row}, by name. */
    private static <T> Map<String, T> rowsByName(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx,
            org.jdbi.v3.core.mapper.RowMapper<T> row, java.util.function.Function<T, String> name) throws SQLException {
        Map<String, T> found = new java.util.HashMap<>();
        while (rs.next()) {
            T read = row.map(rs, ctx);
            found.put(name.apply(read), read);
        }
        return found;
    }

    /** The next statement's rows of a multi-statement read (closed with the statement). */
    private static ResultSet next(PreparedStatement read) throws SQLException {
        if (!read.getMoreResults()) {
            throw new SQLException("a statement of the read returned no rows to read");
        }
        return read.getResultSet();
    }

    @Override
    public List<PairRecord> pairs() {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(PAIR_SELECT + " ORDER BY p.name")
                .map((rs, ctx) -> pair(rs)).list()));
    }

    @Override
    public void setActiveSystem(String pair, int activeSystem) {
        if (activeSystem != 0 && activeSystem != 1) {
            throw new IllegalArgumentException("active system must be 0 or 1: " + activeSystem);
        }
        int updated = errors.call(() -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE pairs SET active_system = :active, updated_at = now() WHERE name = :name")
                .bind("active", (short) activeSystem).bind("name", pair).execute()));
        if (updated == 0) {
            throw new NotInInventoryException("pair", pair);
        }
    }

    @Override
    public void removePair(String name) {
        deleteOne("DELETE FROM pairs WHERE name = :name", name, "pair");
    }

    /** A two-dimensional text array's rows (each volume, mount path, mode). */
    private static List<List<String>> links(java.sql.Array array) throws java.sql.SQLException {
        Object[] rows = (Object[]) array.getArray();
        List<List<String>> links = new java.util.ArrayList<>();
        for (Object row : rows) {
            Object[] cells = (Object[]) row;
            links.add(java.util.Arrays.stream(cells).map(String.class::cast).toList());
        }
        return links;
    }

    private void insertLinks(Handle h, VmRecord vm) {
        int position = 0;
        for (LinkRecord link : vm.links()) {
            h.createUpdate("""
                            INSERT INTO vm_links (vm, volume, mount_path, mode, position)
                            VALUES (:vm, :volume, :mountPath, :mode, :position)""")
                    .bind("vm", vm.name()).bind("volume", link.volume()).bind("mountPath", link.mountPath())
                    .bind("mode", link.mode().name()).bind("position", position++)
                    .execute();
        }
    }

    private void deleteOne(String sql, String name, String kind) {
        int deleted = errors.call(() -> jdbi.withHandle(h -> h.createUpdate(sql).bind("name", name).execute()));
        if (deleted == 0) {
            throw new NotInInventoryException(kind, name);
        }
    }

    private Endpoint endpoint(ResultSet rs) throws SQLException {
        return new Endpoint(rs.getString("name"), rs.getString("driver_kind"), rs.getString("uri"),
                Optional.ofNullable(rs.getString("credential_file")), json.read(rs.getString("properties")));
    }

    private static ImageRecord image(ResultSet rs) throws SQLException {
        return new ImageRecord(rs.getString("name"), rs.getString("endpoint"), rs.getString("software_version"),
                rs.getString("driver_ref"));
    }

    private static VolumeRecord volume(ResultSet rs) throws SQLException {
        return new VolumeRecord(rs.getString("name"), rs.getString("endpoint"), rs.getString("driver_ref"),
                rs.getLong("size_bytes"), rs.getString("purpose"));
    }

    private VmRecord vmWithoutLinks(ResultSet rs) throws SQLException {
        return new VmRecord(rs.getString("name"), rs.getString("endpoint"), rs.getString("driver_ref"), rs.getString("image"),
                List.of(), json.read(rs.getString("properties")));
    }

    private PairRecord pair(ResultSet rs) throws SQLException {
        return new PairRecord(rs.getString("name"), rs.getString("system0"), rs.getString("system1"),
                rs.getShort("active_system"), StandbyKind.valueOf(rs.getString("standby_kind")),
                json.read(rs.getString("role_controller")), json.read(rs.getString("resync_gate")));
    }
}

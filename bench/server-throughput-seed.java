// Bench fixture for bench/server-throughput.sh: builds the inventory of N pairs in seconds, through
// the same engine services the API and the CLI call (validation, the local driver, inventory rows,
// audit), in one process on the installation's database, a few pairs at a time. Run as a Java
// source file on the installation's class path:
//   java -cp "INSTALL/lib/*" bench/server-throughput-seed.java INSTALL IMAGE_FOLDER PAIRS
// with DUPLEX_HOME set as for the server. The objects are those the script made through the API before.
import dev.duplex.api.VolumeLink;
import dev.duplex.cli.Services;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.RegisterImage;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

class SeedPairs {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java -cp 'INSTALL/lib/*' server-throughput-seed.java INSTALL IMAGE_FOLDER PAIRS");
            System.exit(2);
        }
        Path conf = Path.of(args[0], "conf", "duplex.properties");
        List<Path> files = Files.isRegularFile(conf) ? List.of(conf) : List.of();
        DuplexConfig config = DuplexConfig.resolve(files, List.of(), System.getenv(), new Properties());
        int pairs = Integer.parseInt(args[2]);
        Actor actor = new Actor("bench-seed");
        try (Services services = Services.start(config, DriverRegistry.discover(SeedPairs.class.getClassLoader(), Optional.empty()))) {
            services.get(EndpointService.class).add(new AddEndpoint("lab", "local", Optional.empty(), Optional.empty(), Map.of()), actor);
            services.get(ImageService.class).register(new RegisterImage("idle-1", "lab", "1", args[1], Map.of()), actor);
            VolumeService volumes = services.get(VolumeService.class);
            VmService vms = services.get(VmService.class);
            PairService pairService = services.get(PairService.class);
            ExecutorService workers = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                int pair = p;
                done.add(workers.submit(() -> {
                    Map<String, String> roleController = new java.util.HashMap<>(Map.of("type", "http", "token", "bench-secret"));
                    for (int s = 0; s <= 1; s++) {
                        int port = 20000 + 2 * pair + s;
                        volumes.create(new CreateVolume("db-" + pair + "-" + s, "lab", 65536, "database", Map.of()), actor);
                        vms.create(new CreateVm("vm-" + pair + "-" + s, "lab", "idle-1",
                                List.of(new LinkRecord("db-" + pair + "-" + s, "db", VolumeLink.Mode.MOUNT_AT_BOOT)),
                                Map.of("env.KV_PORT", Integer.toString(port))), actor);
                        roleController.put("member.vm-" + pair + "-" + s + ".port", Integer.toString(port));
                    }
                    pairService.create(new CreatePair("pair-" + pair, "vm-" + pair + "-0", "vm-" + pair + "-1", 0, StandbyKind.HOT,
                            roleController, Map.of("timeout-ms", "120000")), actor);
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get(); // the first failure ends the seeding with its cause
            }
            workers.shutdown();
        }
    }
}

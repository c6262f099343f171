// Command vcsim runs govmomi's vSphere API simulator for the VMware driver's tests.
//
// Debian packages govmomi only as a library (golang-github-vmware-govmomi-dev), without the
// vcsim command, so the tests build this small main offline against it. It listens on
// 127.0.0.1 only, over plain HTTP, prints "URL <url>" once it serves, and runs until killed.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any free one)")
	username := flag.String("username", "duplex", "the only user name the simulator accepts")
	passwordFile := flag.String("password-file", "", "file holding the only password it accepts")
	useTLS := flag.Bool("tls", false, "serve https with a self-signed certificate (for the certificate checks)")
	flag.Parse()

	secret, err := os.ReadFile(*passwordFile)
	password := strings.TrimRight(string(secret), "\r\n")
	if err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: cannot read the password file:", err)
		os.Exit(2)
	}

	model := simulator.VPX()
	// No VMs of its own: the tests create theirs, so nothing of the simulator's default
	// inventory can be mistaken for them.
	model.Machine = 0
	model.Autostart = false
	// The simulator's default delays stand for a real vCenter's task times; the tests are about
	// behaviour, so tasks finish at once.
	model.DelayConfig.Delay = 0
	model.DelayConfig.MethodDelay = nil
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: cannot create the inventory:", err)
		os.Exit(1)
	}
	defer model.Remove()

	model.Service.Listen = &url.URL{
		Host: fmt.Sprintf("127.0.0.1:%d", *port),
		User: url.UserPassword(*username, password),
	}
	if *useTLS {
		// Filled with the simulator's self-signed localhost certificate when the server starts.
		model.Service.TLS = new(tls.Config)
	}
	server := model.Service.NewServer()
	defer server.Close()

	u := *server.URL
	u.User = nil
	fmt.Printf("URL %s\n", u.String())

	// Ends on SIGTERM (the tests stop it by its PID) or when its standard input closes, so a
	// test JVM that dies without stopping it leaves no simulator behind.
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-signals:
	case <-done:
	}
}

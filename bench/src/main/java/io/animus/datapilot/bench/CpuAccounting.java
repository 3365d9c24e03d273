package io.animus.datapilot.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the machine's CPU went during a measured window: this JVM's threads grouped by role (load
 * generator, server, JDBC workers), the rest of this JVM (GC, JIT), the embedded PostgreSQL
 * (postmaster and its children, from {@code /proc}), and everything else on the machine (other
 * builds). Linux only; on other systems the {@code /proc} figures are zero.
 */
final class CpuAccounting {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final long TICK_NANOS = 1_000_000_000L / clockTicks();

  private final long postmasterPid;

  CpuAccounting(long postmasterPid) {
    this.postmasterPid = postmasterPid;
    if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
  }

  /** The role a thread plays, from its name. */
  static String group(String threadName) {
    if (threadName.startsWith("bench-http-") || threadName.startsWith("HttpClient-")) {
      return "load generator (client threads + JDK HttpClient)";
    }
    if (threadName.startsWith("bench-jdbc")) {
      return "JDBC bench workers";
    }
    String stem = threadName.replaceAll("[0-9]+", "").replaceAll("[-_ ]+$", "");
    return "server/JVM thread: " + (stem.isEmpty() ? "(unnamed)" : stem);
  }

  record Snapshot(long wallNanos, long processCpuNanos, Map<Long, ThreadCpu> threads, long postgresCpuNanos,
                  Map<Long, Long> otherProcessTicks, long[] machine, long gcCount, long gcMillis,
                  long jitMillis) {}

  record ThreadCpu(String name, long cpuNanos, long allocatedBytes) {}

  Snapshot take() {
    Map<Long, ThreadCpu> threads = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long cpu = THREADS.getThreadCpuTime(ids[i]);
      if (infos[i] != null && cpu >= 0) {
        threads.put(ids[i], new ThreadCpu(infos[i].getThreadName(), cpu, allocatedBytes(ids[i])));
      }
    }
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    Map<Long, Long> others = new HashMap<>();
    long postgres = scanProcesses(others);
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    return new Snapshot(System.nanoTime(), processCpuNanos(), threads, postgres, others, machineTicks(), gcCount,
        gcMillis, jitMillis);
  }

  private static long allocatedBytes(long threadId) {
    if (THREADS instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
      return sun.getThreadAllocatedBytes(threadId);
    }
    return -1;
  }

  /** Core-equivalents used by each consumer between two snapshots. */
  static final class Usage {
    final double wallSeconds;
    final Map<String, Double> coresByGroup = new TreeMap<>();
    double loadGeneratorCores;
    double serverThreadCores;
    double jdbcWorkerCores;
    double jvmOtherCores;
    double postgresCores;
    double otherProcessesCores;
    double kernelIrqCores;
    double stealCores;
    double unattributedCores;
    double idleCores;
    long gcCount;
    long gcMillis;
    long jitMillis;
    long loadGeneratorAllocated;
    long serverAllocated;
    long jdbcWorkerAllocated;

    Usage(double wallSeconds) {
      this.wallSeconds = wallSeconds;
    }

    /** Total CPU (this JVM + PostgreSQL) per operation, in microseconds. */
    double cpuMicrosPerOp(long operations) {
      double cores = loadGeneratorCores + serverThreadCores + jdbcWorkerCores + jvmOtherCores + postgresCores;
      return operations == 0 ? 0 : cores * wallSeconds * 1e6 / operations;
    }

    double microsPerOp(double cores, long operations) {
      return operations == 0 ? 0 : cores * wallSeconds * 1e6 / operations;
    }

    String format(long operations, String indent) {
      StringBuilder out = new StringBuilder();
      line(out, indent, "load generator (client threads + JDK HttpClient)", loadGeneratorCores, operations);
      line(out, indent, "server threads (Jetty, Hikari, ...)", serverThreadCores, operations);
      line(out, indent, "JDBC bench workers", jdbcWorkerCores, operations);
      line(out, indent, "JVM other (GC, JIT, VM threads)", jvmOtherCores, operations);
      line(out, indent, "PostgreSQL (postmaster + backends)", postgresCores, operations);
      line(out, indent, "other processes on the machine (other builds)", otherProcessesCores, 0);
      line(out, indent, "kernel irq/softirq (loopback network)", kernelIrqCores, 0);
      line(out, indent, "steal (hypervisor)", stealCores, 0);
      line(out, indent, "other busy time not attributed above", unattributedCores, 0);
      line(out, indent, "idle", idleCores, 0);
      out.append(String.format(Locale.ROOT, "%s%-52s %6.0f us%n", indent,
          "CPU (this JVM + PostgreSQL) per operation", cpuMicrosPerOp(operations)));
      if (operations > 0) {
        out.append(String.format(Locale.ROOT, "%sallocated per operation: load generator %s, server threads %s, "
                + "JDBC bench workers %s%n", indent, kib(loadGeneratorAllocated, operations),
            kib(serverAllocated, operations), kib(jdbcWorkerAllocated, operations)));
      }
      out.append(String.format(Locale.ROOT, "%sGC: %d collections, %d ms; JIT compilation: %d ms (compiler-thread "
              + "time; high values mean the code was not warm yet)%n", indent, gcCount, gcMillis, jitMillis));
      out.append(indent).append("busiest server/JVM thread groups:").append(System.lineSeparator());
      coresByGroup.entrySet().stream()
          .filter(e -> e.getKey().startsWith("server/JVM thread: ") && e.getValue() >= 0.005)
          .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
          .limit(6)
          .forEach(e -> out.append(String.format(Locale.ROOT, "%s  %-50s %5.2f cores%n", indent,
              e.getKey().substring("server/JVM thread: ".length()), e.getValue())));
      return out.toString();
    }

    private static String kib(long bytes, long operations) {
      return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0 / operations);
    }

    private void line(StringBuilder out, String indent, String label, double cores, long operations) {
      if (operations > 0) {
        out.append(String.format(Locale.ROOT, "%s%-52s %5.2f cores %6.0f us/op%n", indent, label, cores,
            microsPerOp(cores, operations)));
      } else {
        out.append(String.format(Locale.ROOT, "%s%-52s %5.2f cores%n", indent, label, cores));
      }
    }
  }

  static Usage between(Snapshot a, Snapshot b) {
    double wall = (b.wallNanos() - a.wallNanos()) / 1e9;
    Usage u = new Usage(wall);
    if (wall <= 0) {
      return u;
    }
    double threadTotal = 0;
    for (Map.Entry<Long, ThreadCpu> e : b.threads().entrySet()) {
      ThreadCpu before = a.threads().get(e.getKey());
      long delta = e.getValue().cpuNanos() - (before == null ? 0 : before.cpuNanos());
      double cores = delta / 1e9 / wall;
      threadTotal += cores;
      String group = group(e.getValue().name());
      u.coresByGroup.merge(group, cores, Double::sum);
      long allocated = e.getValue().allocatedBytes() - (before == null ? 0 : Math.max(0, before.allocatedBytes()));
      if (e.getValue().allocatedBytes() >= 0) {
        if (group.startsWith("load generator")) {
          u.loadGeneratorAllocated += allocated;
        } else if (group.startsWith("JDBC bench")) {
          u.jdbcWorkerAllocated += allocated;
        } else {
          u.serverAllocated += allocated;
        }
      }
    }
    u.gcCount = b.gcCount() - a.gcCount();
    u.gcMillis = b.gcMillis() - a.gcMillis();
    u.jitMillis = b.jitMillis() - a.jitMillis();
    for (Map.Entry<String, Double> e : u.coresByGroup.entrySet()) {
      if (e.getKey().startsWith("load generator")) {
        u.loadGeneratorCores += e.getValue();
      } else if (e.getKey().startsWith("JDBC bench")) {
        u.jdbcWorkerCores += e.getValue();
      } else {
        u.serverThreadCores += e.getValue();
      }
    }
    double process = (b.processCpuNanos() - a.processCpuNanos()) / 1e9 / wall;
    u.jvmOtherCores = Math.max(0, process - threadTotal);
    u.postgresCores = (b.postgresCpuNanos() - a.postgresCpuNanos()) / 1e9 / wall;
    long others = 0;
    for (Map.Entry<Long, Long> e : b.otherProcessTicks().entrySet()) {
      others += e.getValue() - a.otherProcessTicks().getOrDefault(e.getKey(), 0L);
    }
    u.otherProcessesCores = Math.max(0, others * TICK_NANOS / 1e9 / wall);
    long[] m0 = a.machine();
    long[] m1 = b.machine();
    long totalTicks = m1[1] - m0[1];
    if (totalTicks > 0) {
      double cores = Runtime.getRuntime().availableProcessors();
      double busyCores = cores * (m1[0] - m0[0]) / totalTicks;
      u.kernelIrqCores = cores * (m1[2] - m0[2]) / totalTicks;
      u.stealCores = cores * (m1[3] - m0[3]) / totalTicks;
      u.idleCores = cores - busyCores;
      u.unattributedCores = Math.max(0, busyCores - process - u.postgresCores - u.otherProcessesCores
          - u.kernelIrqCores - u.stealCores);
    }
    return u;
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * One pass over {@code /proc}: returns the CPU of the postmaster and its children (nanoseconds) and
   * fills {@code others} with utime + stime of every other process except this JVM, in clock ticks by
   * pid (processes that start and end inside the window are missed: they show as unattributed).
   */
  private long scanProcesses(Map<Long, Long> others) {
    long self = ProcessHandle.current().pid();
    long ticks = 0;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p ->
        p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path proc : procs) {
        long[] stat = readStat(proc.resolve("stat"));
        if (stat == null) {
          continue;
        }
        long pid = Long.parseLong(proc.getFileName().toString());
        if (postmasterPid > 0 && pid == postmasterPid) {
          ticks += stat[1] + stat[2] + stat[3] + stat[4];
        } else if (postmasterPid > 0 && stat[0] == postmasterPid) {
          ticks += stat[1] + stat[2];
        } else if (pid != self) {
          // Own time only: a parent's reaped-children time would count work done before the window.
          others.put(pid, stat[1] + stat[2]);
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks * TICK_NANOS;
  }

  /** ppid, utime, stime, cutime, cstime from {@code /proc/PID/stat}, or null if it vanished. */
  private static long[] readStat(Path stat) {
    try {
      String text = Files.readString(stat);
      // The command name is in parentheses and may contain spaces: parse after the last ')'.
      String[] f = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
      // f[0] = state (field 3), f[1] = ppid (4), f[11..14] = utime, stime, cutime, cstime (14..17)
      return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
          Long.parseLong(f[13]), Long.parseLong(f[14])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {busy, total, irq + softirq, steal} jiffies of all CPUs from {@code /proc/stat}; idle and iowait
   * count as not busy.
   */
  private static long[] machineTicks() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i <= 8 && i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total, Long.parseLong(f[6]) + Long.parseLong(f[7]), Long.parseLong(f[8])};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0, 0, 0};
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      long ticks = Long.parseLong(out);
      return ticks > 0 ? ticks : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}

package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Group commit on its own: every request gets its own result, and a bad request fails alone. */
@Timeout(60)
class GroupCommitTest {

  @Test
  void concurrentRequestsShareGroupsAndEachGetsItsOwnResult() throws Exception {
    List<Integer> groupSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    try (GroupCommit<Integer, String> commit = new GroupCommit<>("test-writer", 2, 64, group -> {
      groupSizes.add(group.size());
      sleep(2); // a commit takes a while: later requests queue meanwhile
      return group.stream().map(i -> "r" + i).toList();
    }, i -> {
      groupSizes.add(1);
      sleep(2);
      return "r" + i;
    }, 30)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Boolean>> all = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          int thread = t;
          all.add(pool.submit(() -> {
            for (int i = 0; i < 50; i++) {
              int request = thread * 1000 + i;
              assertThat(commit.write(request)).isEqualTo("r" + request);
            }
            return true;
          }));
        }
        for (Future<Boolean> f : all) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(groupSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(16 * 50);
    assertThat(groupSizes.stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("16 writers and a 2 ms commit must have shared some groups").isGreaterThan(1);
  }

  @Test
  void aFailingGroupIsWrittenAgainMemberByMemberSoOnlyTheBadRequestFails() throws Exception {
    Map<Integer, Integer> aloneWrites = new ConcurrentHashMap<>();
    AtomicInteger groups = new AtomicInteger();
    try (GroupCommit<Integer, String> commit = new GroupCommit<>("test-writer", 1, 64, group -> {
      groups.incrementAndGet();
      if (group.contains(13)) {
        throw new IllegalArgumentException("13 is bad");
      }
      return group.stream().map(i -> "ok" + i).toList();
    }, i -> {
      aloneWrites.merge(i, 1, Integer::sum);
      if (i == -1) {
        sleep(500); // holds the only slot: the next requests queue up behind it
      }
      if (i == 13) {
        throw new IllegalArgumentException("13 is bad");
      }
      return "ok" + i;
    }, 30)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        Future<String> blocker = pool.submit(() -> commit.write(-1));
        Thread.sleep(100);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 10; i < 16; i++) {
          int request = i;
          answers.add(pool.submit(() -> commit.write(request)));
        }
        assertThat(blocker.get(30, TimeUnit.SECONDS)).isEqualTo("ok-1");
        for (int i = 0; i < answers.size(); i++) {
          int request = 10 + i;
          if (request == 13) {
            assertThatThrownBy(() -> answers.get(3).get(30, TimeUnit.SECONDS)).hasRootCauseMessage("13 is bad");
          } else {
            assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("ok" + request);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(groups.get()).as("the queued requests were tried as a group first").isGreaterThanOrEqualTo(1);
    assertThat(aloneWrites).containsEntry(13, 1).containsKeys(10, 11, 12, 14, 15);
  }

  @Test
  void aRequestWhoseCommitTakesTooLongFailsAsABusyDatabaseSoItIsAnswered503() {
    try (GroupCommit<Integer, String> commit = new GroupCommit<>("test-writer", 1, 64,
        group -> group.stream().map(i -> "late").toList(), i -> {
          sleep(2500);
          return "late";
        }, 1)) {
      // the first request holds the only slot for 2.5 s; the second waits 1 s for its commit, then gives up
      Thread first = new Thread(() -> commit.write(1));
      first.start();
      sleep(200);
      Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> commit.write(2));
      assertThat(failure).hasMessageContaining("not committed within 1 s");
      assertThat(DatabaseUnavailable.of(failure)).contains(DatabaseUnavailable.Reason.BUSY);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

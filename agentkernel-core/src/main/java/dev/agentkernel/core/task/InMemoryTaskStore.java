package dev.agentkernel.core.task;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Tasks kept in memory only. Package-private: see {@link TaskStore#inMemory()}. */
final class InMemoryTaskStore implements TaskStore {

    private final Map<String, TaskInfo> tasks = new ConcurrentHashMap<>();

    @Override
    public void save(TaskInfo task) {
        tasks.put(task.id(), task);
    }

    @Override
    public Optional<TaskInfo> find(String id) {
        return Optional.ofNullable(tasks.get(id));
    }

    @Override
    public List<TaskInfo> list(int limit) {
        return tasks.values().stream().sorted(Comparator.comparing(TaskInfo::createdAt).reversed()).limit(limit).toList();
    }

    @Override
    public synchronized int pruneFinished(Instant finishedBefore) {
        int n = 0;
        for (TaskInfo t : List.copyOf(tasks.values())) {
            if (t.status().isFinal() && t.finishedAt().filter(at -> at.isBefore(finishedBefore)).isPresent()) {
                tasks.remove(t.id());
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized int failUnfinished(String reason, Instant at) {
        int n = 0;
        for (TaskInfo t : List.copyOf(tasks.values())) {
            if (!t.status().isFinal()) {
                tasks.put(t.id(), new TaskInfo(t.id(), t.spec(), TaskStatus.FAILED, t.output(), Optional.of(reason),
                        t.exitCode(), t.attempts(), t.createdAt(), t.startedAt(), Optional.of(at)));
                n++;
            }
        }
        return n;
    }
}

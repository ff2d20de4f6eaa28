// Prints what Kafka's Java client computes for each key, so tests can compare our partitioner
// with it. Input: a file with one hex-encoded key per line (an empty line is the empty key).
// Arguments: the key file, then partition counts. Output, one line per key:
// "<murmur2> <partition for count 1> <partition for count 2> ...".
// Partitions come from BuiltInPartitioner.partitionForKey where the client has it (3.3 and
// later), else from Utils.toPositive(Utils.murmur2(key)) % count, as older DefaultPartitioner did.
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

public final class PartitionForKeys {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.US_ASCII);
        int[] counts = new int[args.length - 1];
        for (int i = 1; i < args.length; i++) counts[i - 1] = Integer.parseInt(args[i]);
        Method builtIn = null;
        try {
            Class<?> c = Class.forName("org.apache.kafka.clients.producer.internals.BuiltInPartitioner");
            builtIn = c.getMethod("partitionForKey", byte[].class, int.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            builtIn = null;
        }
        System.err.println(builtIn != null ? "using BuiltInPartitioner.partitionForKey" : "using Utils.murmur2/toPositive");
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16);
        for (String line : lines) {
            byte[] key = hex(line);
            StringBuilder sb = new StringBuilder();
            sb.append(Utils.murmur2(key));
            for (int count : counts) {
                int p = builtIn != null ? (Integer) builtIn.invoke(null, key, count) : Utils.toPositive(Utils.murmur2(key)) % count;
                sb.append(' ').append(p);
            }
            out.write(sb.toString());
            out.newLine();
        }
        out.flush();
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
}

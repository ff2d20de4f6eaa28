// TEST-ONLY: produces known records with the Java client, one topic per compression codec,
// for java-producer-interop.test.ts. Run as a single-file source program:
//   java -cp '<kafka lib>/*' JavaRecordsProducer.java BOOTSTRAP TOPIC_PREFIX COUNT CODEC...
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

public class JavaRecordsProducer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    // -Dbase.timestamp=MS: the first record's timestamp (recent, so retention keeps the records).
    long baseTimestamp = Long.getLong("base.timestamp", System.currentTimeMillis());
    for (int c = 3; c < args.length; c++) {
      String codec = args[c];
      Properties props = new Properties();
      props.put("bootstrap.servers", bootstrap);
      props.put("compression.type", codec);
      props.put("enable.idempotence", "true");
      props.put("acks", "all");
      // One batch per topic: everything is sent before the linger expires.
      props.put("linger.ms", "1000");
      props.put("batch.size", "1048576");
      props.put("key.serializer", StringSerializer.class.getName());
      props.put("value.serializer", StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        for (int i = 0; i < count; i++) {
          String key = i % 5 == 0 ? null : "key-" + i;
          String value = "value-" + i + " " + "java ".repeat(10);
          ProducerRecord<String, String> record = new ProducerRecord<>(prefix + "-" + codec, 0, baseTimestamp + i, key, value);
          record.headers().add("h", ("x" + i).getBytes(StandardCharsets.UTF_8));
          record.headers().add("h", null);
          producer.send(record);
        }
        producer.flush();
      }
    }
  }
}

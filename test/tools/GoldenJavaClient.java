/*
 * The Java client side of the golden capture (test/tools/capture-golden.ts): Apache Kafka's own
 * kafka-clients, driven with fixed inputs so the captured records can be checked. Run as a
 * single-file source program against the jars of one Kafka version:
 *
 *   java -cp '.cache/kafka/4.1.1/lib/*' test/tools/GoldenJavaClient.java create-topics BOOTSTRAP TOPIC...
 *   java -cp ... GoldenJavaClient.java produce BOOTSTRAP TOPIC CODEC COUNT
 *   java -cp ... GoldenJavaClient.java consume BOOTSTRAP GROUP COUNT TOPIC...
 *
 * Only APIs present in every client version we capture with (2.8 onwards) are used; the
 * console tools are not, because their class names and options moved between versions.
 * Produced records are key "key-I", value "java-CODEC-value-I"; consume prints "key\tvalue".
 */
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class GoldenJavaClient {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) usage();
    switch (args[0]) {
      case "create-topics" -> createTopics(args[1], Arrays.asList(args).subList(2, args.length));
      case "produce" -> {
        if (args.length != 5) usage();
        produce(args[1], args[2], args[3], Integer.parseInt(args[4]));
      }
      case "consume" -> {
        if (args.length < 5) usage();
        consume(args[1], args[2], Integer.parseInt(args[3]), Arrays.asList(args).subList(4, args.length));
      }
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println("usage: create-topics BOOTSTRAP TOPIC... | produce BOOTSTRAP TOPIC CODEC COUNT | consume BOOTSTRAP GROUP COUNT TOPIC...");
    System.exit(2);
  }

  private static void createTopics(String bootstrap, List<String> topics) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("client.id", "golden-java-admin");
    try (AdminClient admin = AdminClient.create(props)) {
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics) newTopics.add(new NewTopic(topic, 1, (short) 1));
      admin.createTopics(newTopics).all().get();
    }
  }

  private static void produce(String bootstrap, String topic, String codec, int count) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("client.id", "golden-java-producer");
    props.put("compression.type", codec);
    props.put("acks", "all");
    // A linger long enough that all records share one batch, so each codec is one batch.
    props.put("linger.ms", "200");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, "java-" + codec + "-value-" + i));
      }
      producer.flush();
    }
  }

  private static void consume(String bootstrap, String group, int count, List<String> topics) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("client.id", "golden-java-consumer");
    props.put("group.id", group);
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    int seen = 0;
    long deadline = System.currentTimeMillis() + 60_000;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(topics);
      while (seen < count) {
        if (System.currentTimeMillis() > deadline) {
          System.err.println("consumed " + seen + " of " + count + " records before the deadline");
          System.exit(1);
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          System.out.println(record.key() + "\t" + record.value());
          seen++;
        }
      }
      consumer.commitSync();
    }
  }
}

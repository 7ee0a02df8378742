package io.github.connectionlifecycle.kafka;

import java.util.function.Supplier;

import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.util.Assert;
import org.springframework.util.function.SingletonSupplier;

/**
 * Makes every Kafka delivery attempt a unit of work: wraps the {@link RecordInterceptor} and
 * {@link BatchInterceptor} of every {@link AbstractKafkaListenerContainerFactory} bean (so
 * every container it creates, {@code @KafkaListener} ones included) and of every
 * {@link AbstractMessageListenerContainer} bean, composing with the interceptor already
 * set there rather than replacing it. Record listeners get one {@link WorkKind#KAFKA_RECORD}
 * unit per delivery attempt, batch listeners one {@link WorkKind#KAFKA_BATCH} unit per batch
 * attempt.
 * <p>
 * Interceptors are composed here, not contributed as beans, because Spring Boot applies an
 * interceptor bean only when it is the only one: a second one would silently disable the
 * application's. Containers copy their interceptors when they start, so interceptors set
 * after a factory or container bean is initialized are not seen.
 */
public final class KafkaWorkBoundariesPostProcessor implements BeanPostProcessor {

	private final Supplier<WorkBoundaries> workBoundaries;

	/**
	 * Creates a post-processor that resolves the {@link WorkBoundaries} at the first delivery.
	 * @param workBoundaries where units of work are opened
	 */
	public KafkaWorkBoundariesPostProcessor(ObjectProvider<WorkBoundaries> workBoundaries) {
		Assert.notNull(workBoundaries, "workBoundaries must not be null");
		this.workBoundaries = SingletonSupplier.of(workBoundaries::getObject);
	}

	/**
	 * Whether deliveries to a listener container are units of work: whether it carries the
	 * interceptors this post-processor composes.
	 * @param container the container
	 * @return {@code true} when its record or batch deliveries open units of work
	 */
	public static boolean hasWorkBoundaries(MessageListenerContainer container) {
		return container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer
				&& (listenerContainer.getRecordInterceptor() instanceof WorkUnitRecordInterceptor
						|| listenerContainer.getBatchInterceptor() instanceof WorkUnitBatchInterceptor);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
			wrapInterceptors(factory);
		}
		else if (bean instanceof AbstractMessageListenerContainer<?, ?> container) {
			wrapInterceptors(container);
		}
		return bean;
	}

	/**
	 * Gives a listener container that is no bean, such as the ones Spring Cloud Stream's
	 * Kafka binder creates in code, the same units as a container bean, composed with the
	 * interceptors set on it so far. Call it before the container starts.
	 * @param container the container
	 */
	public void addWorkUnits(AbstractMessageListenerContainer<?, ?> container) {
		wrapInterceptors(container);
	}

	private <K, V> void wrapInterceptors(AbstractKafkaListenerContainerFactory<?, K, V> factory) {
		// Containers created by the factory are named after their consumer group at delivery time.
		RecordInterceptor<K, V> recordInterceptor = factory.getRecordInterceptor();
		if (!(recordInterceptor instanceof WorkUnitRecordInterceptor)) {
			factory.setRecordInterceptor(new WorkUnitRecordInterceptor<>(this.workBoundaries, null, recordInterceptor));
		}
		BatchInterceptor<K, V> batchInterceptor = factory.getBatchInterceptor();
		if (!(batchInterceptor instanceof WorkUnitBatchInterceptor)) {
			factory.setBatchInterceptor(new WorkUnitBatchInterceptor<>(this.workBoundaries, null, batchInterceptor));
		}
	}

	private <K, V> void wrapInterceptors(AbstractMessageListenerContainer<K, V> container) {
		// A container made by a post-processed factory already carries our interceptors.
		String listenerId = container.getListenerId();
		RecordInterceptor<K, V> recordInterceptor = container.getRecordInterceptor();
		if (!(recordInterceptor instanceof WorkUnitRecordInterceptor)) {
			container.setRecordInterceptor(
					new WorkUnitRecordInterceptor<>(this.workBoundaries, listenerId, recordInterceptor));
		}
		BatchInterceptor<K, V> batchInterceptor = container.getBatchInterceptor();
		if (!(batchInterceptor instanceof WorkUnitBatchInterceptor)) {
			container.setBatchInterceptor(
					new WorkUnitBatchInterceptor<>(this.workBoundaries, listenerId, batchInterceptor));
		}
	}

}
